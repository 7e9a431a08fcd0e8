using System.Diagnostics;
using UpscaleFarm.Engine.Inference;

namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>
/// The model alone: batches of random tiles through one session for a fixed time, with the host-to-device
/// copies a worker pays but no decoding, encoding or storage. What a device can do, against which the
/// end-to-end figures show how much of it the rest of the pipeline keeps.
/// </summary>
public static class InferenceBenchmark
{
    public sealed record Result(int Batches, TimeSpan Elapsed)
    {
        public double BatchesPerSecond => Batches / Elapsed.TotalSeconds;
    }

    /// <summary>Runs batches of <paramref name="batch"/> tiles of <paramref name="side"/>² for about <paramref name="duration"/>, after a warm-up.</summary>
    public static Result Run(ModelSession session, int batch, int side, TimeSpan duration)
    {
        var buffers = session.GetBuffers(batch, side, side);
        var random = new Random(1);
        for (var i = 0; i < buffers.Input.Length; i++)
            buffers.Input[i] = random.NextSingle();
        // The first runs pick kernels (cuDNN autotuning) and allocate device memory.
        for (var i = 0; i < 3; i++)
            session.Run(buffers);
        var clock = Stopwatch.StartNew();
        var batches = 0;
        while (clock.Elapsed < duration)
        {
            session.Run(buffers);
            batches++;
        }
        return new Result(batches, clock.Elapsed);
    }
}
