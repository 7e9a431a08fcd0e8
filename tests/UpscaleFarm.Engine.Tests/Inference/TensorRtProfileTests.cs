using UpscaleFarm.Engine.Inference;

namespace UpscaleFarm.Engine.Tests.Inference;

/// <summary>
/// No GPU runs here, so TensorRT itself is not exercised; what can be checked is what the provider is told:
/// shapes in the layout of the graph it gets (samples NHWC with 1 or 3 bands, or the model's NCHW floats),
/// minimum ≤ optimum ≤ maximum on every axis, in ONNX Runtime's "name:AxBxCxD" form.
/// </summary>
public class TensorRtProfileTests
{
    [Fact]
    public void Sample_graphs_get_nhwc_shapes_from_one_gray_band_up_to_the_largest_tile()
    {
        var options = new TensorRtProfile(672, 1280, 4).ProviderOptions("pixels", SessionPixels.Interleaved8Bit);
        Assert.Equal("pixels:1x16x16x1", options["trt_profile_min_shapes"]);
        Assert.Equal("pixels:4x672x672x3", options["trt_profile_opt_shapes"]);
        Assert.Equal("pixels:4x1280x1280x3", options["trt_profile_max_shapes"]);
    }

    [Fact]
    public void Float_graphs_get_nchw_shapes_and_the_maximum_is_never_below_the_optimum()
    {
        var options = new TensorRtProfile(672, 100, 0).ProviderOptions("input", SessionPixels.PlanarFloat);
        Assert.Equal("input:1x3x16x16", options["trt_profile_min_shapes"]);
        Assert.Equal("input:1x3x672x672", options["trt_profile_opt_shapes"]);
        Assert.Equal("input:1x3x672x672", options["trt_profile_max_shapes"]);
    }
}
