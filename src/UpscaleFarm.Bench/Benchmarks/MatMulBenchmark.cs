using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using UpscaleFarm.Models.Onnx;

namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>The machine's practical fp32 rate: a large square MatMul in ONNX Runtime on the CPU.</summary>
public static class MatMulBenchmark
{
    public static double GflopPerSecond(int size = 2048, int runs = 5)
    {
        var graph = new OnnxGraphBuilder();
        graph.AddInput("a", size, size);
        graph.AddInput("b", size, size);
        graph.AddOutput("c", size, size);
        graph.AddNode("MatMul", "matmul", ["a", "b"], ["c"]);
        var model = graph.Build("bench").ToByteArray();

        using var options = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(model, options);
        var random = new Random(1);
        var a = Enumerable.Range(0, size * size).Select(_ => random.NextSingle()).ToArray();
        var b = Enumerable.Range(0, size * size).Select(_ => random.NextSingle()).ToArray();
        var c = new float[size * size];
        using var va = OrtValue.CreateTensorValueFromMemory(a, [size, size]);
        using var vb = OrtValue.CreateTensorValueFromMemory(b, [size, size]);
        using var vc = OrtValue.CreateTensorValueFromMemory(c, [size, size]);
        using var run = new RunOptions();
        // The median of timed runs after a warm-up, the same statistic as the model timings.
        session.Run(run, ["a", "b"], [va, vb], ["c"], [vc]);
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            session.Run(run, ["a", "b"], [va, vb], ["c"], [vc]);
            times.Add(watch.Elapsed.TotalSeconds);
        }
        times.Sort();
        return 2.0 * size * size * size / times[times.Count / 2] / 1e9;
    }
}
