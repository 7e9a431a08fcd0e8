using Google.Protobuf;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Models.Onnx;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Engine.Tests.Inference;

/// <summary>
/// A batch the device refuses is run in parts. On the GPU this is x4plus at more than 6 tiles of 576²
/// (ONNX Runtime's CUDA Resize indexes with 32-bit integers); here a graph that only accepts batch 1
/// stands in for it on the CPU.
/// </summary>
public class BatchSplitTests
{
    [Fact]
    public void A_refused_batch_is_run_in_parts_with_the_results_of_single_tiles()
    {
        using var dir = new TempDirectory();
        var path = dir.File("batch-one.onnx");
        File.WriteAllBytes(path, BatchOfOneModel());
        using var session = ModelSession.Create(path, new SessionSettings { Device = ExecutionDevice.Cpu });
        Assert.Equal(4, session.Scale);

        var random = new Random(5);
        var batch = session.GetBuffers(5, 8, 8);
        for (var i = 0; i < batch.Input.Length; i++)
            batch.Input[i] = random.NextSingle();
        session.Run(batch);
        session.Run(batch); // the second time straight in parts, from the remembered limit

        var single = session.GetBuffers(1, 8, 8);
        for (var tile = 0; tile < 5; tile++)
        {
            batch.InputImage(tile).CopyTo(single.Input);
            session.Run(single);
            Assert.Equal(single.OutputImage(0).ToArray(), batch.OutputImage(tile).ToArray());
        }
    }

    /// <summary>×4 nearest neighbour whose reshape folds the batch into the height, so batches above 1 give a wrongly shaped output.</summary>
    private static byte[] BatchOfOneModel()
    {
        var builder = new OnnxGraphBuilder();
        builder.AddInput("input", null, 3, null, null);
        var shape = builder.AddInt64s("shape", [1, 3, -1, 0]);
        builder.AddNode("Reshape", "fold", ["input", shape], ["folded"]);
        var scales = builder.AddConstant([1f, 1f, 4f, 4f], 4);
        builder.AddNode("Resize", "upsample", ["folded", "", scales], ["output"],
            OnnxGraphBuilder.String("mode", "nearest"),
            OnnxGraphBuilder.String("coordinate_transformation_mode", "asymmetric"),
            OnnxGraphBuilder.String("nearest_mode", "floor"));
        builder.AddOutput("output", null, 3, null, null);
        return builder.Build("test").ToByteArray();
    }
}
