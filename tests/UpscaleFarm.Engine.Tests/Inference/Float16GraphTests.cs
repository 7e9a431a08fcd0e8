using Microsoft.ML.OnnxRuntime;
using UpscaleFarm.Engine.Tests.Support;
using UpscaleFarm.Models.Onnx;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Engine.Tests.Inference;

/// <summary>
/// The fp16 copy of a graph that CUDA sessions use. No GPU runs here, so the test checks what the CPU
/// can: ONNX Runtime accepts the graph (types line up at every Cast and initializer) and computes
/// the same image as the fp32 graph to within half precision.
/// </summary>
[Collection(ModelsCollection.Name)]
public class Float16GraphTests(ModelsFixture models)
{
    [Fact]
    public void Half_precision_copy_of_general_x4v3_computes_what_the_float_graph_does()
    {
        var path = models.Catalog.OnnxPath(models.Catalog.Find("general-x4v3"));
        var half = Float16Graph.TryConvert(File.ReadAllBytes(path));
        Assert.NotNull(half);

        var random = new Random(3);
        var input = Enumerable.Range(0, 3 * 24 * 24).Select(_ => random.NextSingle()).ToArray();
        var full = Run(File.ReadAllBytes(path), input);
        var reduced = Run(half, input);
        Assert.Equal(full.Length, reduced.Length);
        var maxError = full.Zip(reduced, (a, b) => Math.Abs(a - b)).Max();
        Assert.InRange(maxError, 0, 0.02f);
    }

    private static float[] Run(byte[] model, float[] input)
    {
        using var session = new InferenceSession(model);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, 24, 24]);
        using var results = session.Run(new RunOptions(), [session.InputNames[0]], [value], [session.OutputNames[0]]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
