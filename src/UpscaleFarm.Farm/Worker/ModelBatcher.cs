using System.Runtime.InteropServices;
using System.Threading.Channels;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// Feeds one model session from a queue: a single loop takes up to BatchSize waiting tiles of the same
/// window size, runs them as one batch and hands back each tile's kept core as 8/16-bit samples. One
/// loop per model is the device's only user, while downloads, decoding, encoding and uploads run on
/// the consumers' own threads beside it.
/// </summary>
internal sealed class ModelBatcher : IDisposable
{
    private readonly ModelSession _session;
    private readonly int _batchSize;
    private readonly Channel<TileRequest> _queue = Channel.CreateUnbounded<TileRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public ModelBatcher(ModelSession session, int batchSize)
    {
        _session = session;
        _batchSize = Math.Max(1, batchSize);
        _loop = Task.Factory.StartNew(Loop, TaskCreationOptions.LongRunning).Unwrap();
    }

    public int Scale => _session.Scale;
    public ExecutionDevice Device => _session.Device;
    public bool IsFp16 => _session.IsFp16;

    public Task<TileRaster> RunAsync(TileRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
            throw new ObjectDisposedException(nameof(ModelBatcher));
        return request.Result.Task;
    }

    private async Task Loop()
    {
        var reader = _queue.Reader;
        var batch = new List<TileRequest>(_batchSize);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _batchSize && reader.TryPeek(out var next) && (batch.Count == 0 || batch[0].BatchesWith(next)))
                batch.Add(reader.TryRead(out var taken) ? taken : next);
            try
            {
                Run(batch);
            }
            catch (Exception e)
            {
                foreach (var request in batch)
                    request.Result.TrySetException(e);
            }
        }
    }

    private void Run(List<TileRequest> batch)
    {
        var first = batch[0].Input;
        var buffers = _session.GetBuffers(batch.Count, first.Height, first.Width);
        for (var i = 0; i < batch.Count; i++)
        {
            var input = batch[i].Input;
            PlanarPixels.Read(input.Pixels, input.Width, input.Height, input.Bands, input.Is16Bit, buffers.InputImage(i));
        }
        _session.Run(buffers);
        var scale = _session.Scale;
        for (var i = 0; i < batch.Count; i++)
            batch[i].Result.TrySetResult(KeptCore(batch[i], buffers.OutputImage(i), first.Width * scale, first.Height * scale, scale));
    }

    private static TileRaster KeptCore(TileRequest request, ReadOnlySpan<float> output, int outWidth, int outHeight, int scale)
    {
        var core = request.CoreInInput.Scale(scale);
        var is16Bit = request.Input.Is16Bit;
        var pixels = new byte[(long)core.Width * core.Height * request.OutputBands * (is16Bit ? 2 : 1)];
        if (is16Bit)
            PlanarPixels.Write(output, outWidth, outHeight, core, MemoryMarshal.Cast<byte, ushort>(pixels.AsSpan()), core.Width, 0, 0, request.OutputBands, 65535f);
        else
            PlanarPixels.Write(output, outWidth, outHeight, core, pixels.AsSpan(), core.Width, 0, 0, request.OutputBands, 255f);
        return new TileRaster(core.Width, core.Height, request.OutputBands, is16Bit, pixels);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(30));
        _session.Dispose();
    }
}
