using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Imaging;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Imaging.Codecs;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// Feeds one model session from a queue: a single loop takes up to BatchSize waiting tiles of the same
/// window size, runs them as one batch and hands back each tile's kept core as 8/16-bit samples. One
/// loop per model is the device's only user, while downloads, decoding, encoding and uploads run on
/// the consumers' own threads beside it. Results are in buffers rented from <see cref="ArrayPool{T}.Shared"/>:
/// the caller returns <see cref="TileRaster.Pixels"/> once the tile is encoded.
/// </summary>
internal sealed class ModelBatcher : IDisposable
{
    private readonly IReadOnlyList<ModelSession> _sessions;
    private readonly int _batchSize;
    private readonly Channel<TileRequest> _queue = Channel.CreateUnbounded<TileRequest>();
    private readonly Lock _taking = new();
    private readonly Task[] _loops;

    /// <summary>
    /// One loop per session, each on a thread of its own: several sessions of one model keep several inferences in flight
    /// (<c>Worker:InferenceStreams</c>). A run blocks its thread for as long as the model takes; on the thread pool it
    /// would hold one of its few threads (one per core at first), and a worker's first tiles waited seconds for the pool
    /// to grow while downloads, decoding and encoding queued behind the runs.
    /// </summary>
    public ModelBatcher(IReadOnlyList<ModelSession> sessions, int batchSize)
    {
        _sessions = sessions;
        _batchSize = Math.Max(1, batchSize);
        _loops = sessions.Select(session =>
        {
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() =>
            {
                Loop(session);
                stopped.SetResult();
            }) { IsBackground = true, Name = "inference" }.Start();
            return stopped.Task;
        }).ToArray();
    }

    public int Scale => _sessions[0].Scale;
    public ExecutionDevice Device => _sessions[0].Device;
    public bool IsFp16 => _sessions[0].IsFp16;

    public Task<TileRaster> RunAsync(TileRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
            throw new ObjectDisposedException(nameof(ModelBatcher));
        return request.Result.Task;
    }

    private void Loop(ModelSession session)
    {
        var reader = _queue.Reader;
        var batch = new List<TileRequest>(_batchSize);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            // Peek and take as one step: another loop must not take the tile peeked at. A tile abandoned while it waited
            // (its job ended) is dropped here, at the batch boundary: its caller still owns its buffers.
            lock (_taking)
            {
                while (batch.Count < _batchSize && reader.TryPeek(out var next) && (batch.Count == 0 || next.Abandoned.IsCancellationRequested || batch[0].BatchesWith(next)))
                {
                    var taken = reader.TryRead(out var read) ? read : next;
                    if (taken.Abandoned.IsCancellationRequested)
                        taken.Result.TrySetCanceled(taken.Abandoned);
                    else
                        batch.Add(taken);
                }
            }
            if (batch.Count == 0)
                continue;
            try
            {
                Run(session, batch);
            }
            catch (Exception e)
            {
                foreach (var request in batch)
                    request.Result.TrySetException(e);
            }
        }
    }

    private static void Run(ModelSession session, List<TileRequest> batch)
    {
        if (session.Pixels == SessionPixels.PlanarFloat)
            RunPlanar(session, batch);
        else
            RunSamples(session, batch);
    }

    /// <summary>Samples in, samples out: the host only copies tiles in and kept cores out.</summary>
    private static void RunSamples(ModelSession session, List<TileRequest> batch)
    {
        var first = batch[0];
        var buffers = session.GetSampleBuffers(batch.Count, first.Input.Height, first.Input.Width, first.Input.Bands, first.OutputBands);
        for (var i = 0; i < batch.Count; i++)
            batch[i].Input.Pixels.AsSpan(0, buffers.InputImageLength).CopyTo(buffers.InputImage(i));
        Timed(() => session.Run(buffers));
        for (var i = 0; i < batch.Count; i++)
            batch[i].Result.TrySetResult(KeptCore(batch[i], buffers.OutputImage(i), buffers.OutputRowLength, session.Scale));
    }

    private static TileRaster KeptCore(TileRequest request, ReadOnlySpan<byte> output, int outputRowLength, int scale)
    {
        var core = request.CoreInInput.Scale(scale);
        var pixelLength = request.OutputBands * (request.Input.Is16Bit ? 2 : 1);
        var rowLength = core.Width * pixelLength;
        var pixels = ArrayPool<byte>.Shared.Rent(rowLength * core.Height);
        for (var y = 0; y < core.Height; y++)
            output.Slice((core.Y + y) * outputRowLength + core.X * pixelLength, rowLength).CopyTo(pixels.AsSpan(y * rowLength));
        return new TileRaster(core.Width, core.Height, request.OutputBands, request.Input.Is16Bit, pixels);
    }

    /// <summary>Floats in and out, converted on the host (<c>Worker:PixelConversion</c> Host, Auto on the CPU, or a graph that cannot be extended).</summary>
    private static void RunPlanar(ModelSession session, List<TileRequest> batch)
    {
        var first = batch[0].Input;
        var buffers = session.GetBuffers(batch.Count, first.Height, first.Width);
        for (var i = 0; i < batch.Count; i++)
        {
            var input = batch[i].Input;
            PlanarPixels.Read(input.Pixels.AsSpan(0, (int)input.ExpectedLength), input.Width, input.Height, input.Bands, input.Is16Bit, buffers.InputImage(i));
        }
        Timed(() => session.Run(buffers));
        var scale = session.Scale;
        for (var i = 0; i < batch.Count; i++)
            batch[i].Result.TrySetResult(KeptCore(batch[i], buffers.OutputImage(i), first.Width * scale, first.Height * scale, scale));
    }

    private static TileRaster KeptCore(TileRequest request, ReadOnlySpan<float> output, int outWidth, int outHeight, int scale)
    {
        var core = request.CoreInInput.Scale(scale);
        var is16Bit = request.Input.Is16Bit;
        var pixels = ArrayPool<byte>.Shared.Rent(core.Width * core.Height * request.OutputBands * (is16Bit ? 2 : 1));
        if (is16Bit)
            PlanarPixels.Write(output, outWidth, outHeight, core, MemoryMarshal.Cast<byte, ushort>(pixels.AsSpan()), core.Width, 0, 0, request.OutputBands, 65535f);
        else
            PlanarPixels.Write(output, outWidth, outHeight, core, pixels.AsSpan(), core.Width, 0, 0, request.OutputBands, 255f);
        return new TileRaster(core.Width, core.Height, request.OutputBands, is16Bit, pixels);
    }

    /// <summary>Runs inference, counting the loop thread's CPU time as inference.</summary>
    private static void Timed(Action run)
    {
        var start = WorkerCpuReport.ThreadCpuSeconds();
        try
        {
            run();
        }
        finally
        {
            FarmTelemetry.InferenceCpuTime.Add(WorkerCpuReport.ThreadCpuSeconds() - start);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        Task.WaitAll(_loops, TimeSpan.FromSeconds(30));
        foreach (var session in _sessions)
            session.Dispose();
    }
}
