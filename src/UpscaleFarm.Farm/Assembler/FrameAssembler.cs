using System.Buffers;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetVips;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Housekeeping;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Packing;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Joins a frame's upscaled tiles into its result, one way whether its tiles are all done or still being upscaled: tiles
/// are fetched one row at a time into a strip (output width × tile height) as they are done, and each complete strip
/// goes to the encoder, which runs beside the fetching on its own thread and reads the planes as streams
/// (<see cref="StripPipe"/>) through the same composition and encoder as the one-process engine, so the bytes are the
/// engine's. Memory is Assembler:StripBuffers strips per plane plus the tiles in flight, whatever the frame's area, and
/// strips live in scratch files instead once they would pass Assembler:StripMemoryBytes (a very wide result); the result
/// is encoded to a scratch file and uploaded whole.
/// </summary>
public sealed class FrameAssembler(IObjectStore objects, ITileCodec codec, DoneTiles doneTiles, IOptions<FarmOptions> options, ILogger<FrameAssembler> logger)
{
    /// <summary>The job's result format and a fresh scratch path for its encoding.</summary>
    private (ImageFormat Format, string Extension, string Path) ScratchResult(JobRecord job)
    {
        Directory.CreateDirectory(options.Value.ScratchDirectory);
        if (!ImageFormats.TryParse(job.Options.Format, out var format))
            throw new ImageOutputException($"unknown output format '{job.Options.Format}'");
        var extension = ImageFormats.Extension(format);
        return (format, extension, Path.Combine(options.Value.ScratchDirectory, $"result-{Guid.NewGuid():N}{extension}"));
    }

    /// <summary>
    /// Assembles a frame and uploads its result; returns the result's key. Each tile is downloaded into its row's strip as
    /// soon as it is done (<see cref="DoneTiles"/>; at once for a frame whose tiles are all done), and a row whose tiles
    /// (both planes) are all in is handed to the encoder. After the last tile, only that tile, the last strip's encoding, the file's end and the
    /// upload remain.
    /// </summary>
    public async Task<string> AssembleAsync(JobRecord job, FrameRecord frame, IReadOnlyList<TileRecord> tiles, CancellationToken cancellation)
    {
        var farm = options.Value;
        var (format, extension, resultPath) = ScratchResult(job);
        var (scale, is16Bit) = (frame.Scale, frame.Is16Bit);
        int width = frame.Width * scale, height = frame.Height * scale;
        var rows = tiles.GroupBy(t => t.Geometry.CoreY).OrderBy(r => r.Key).Select(r => (IReadOnlyList<TileRecord>)r.ToList()).ToList();
        var stripRows = rows.Max(r => r[0].Geometry.CoreHeight) * scale;
        var buffers = Math.Max(1, farm.Assembler.StripBuffers);
        try
        {
            var bytesPerSample = is16Bit ? 2 : 1;
            var colorBands = frame.IsGray ? 1 : 3;
            var inFiles = InFiles(width, stripRows, (colorBands + (frame.AlphaPlane == AlphaPlane.Model ? 1 : 0)) * bytesPerSample * buffers);
            using var color = new StripPipe(width, height, colorBands, bytesPerSample, stripRows, buffers, inFiles, farm.ScratchDirectory);
            using var alpha = frame.AlphaPlane == AlphaPlane.Model ? new StripPipe(width, height, 1, bytesPerSample, stripRows, buffers, inFiles, farm.ScratchDirectory) : null;
            using var sourceAlpha = frame.AlphaPlane == AlphaPlane.Resampled ? await OpenSourceAsync(frame, cancellation) : null;
            var iccProfile = await ReadIccProfileAsync(frame, cancellation);
            var encoder = Task.Factory.StartNew(() => EncodeStreams(job, frame, color, alpha, sourceAlpha, iccProfile, resultPath, format),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            // An encoder that fails stops the writer too (else it would wait for a buffer the encoder never frees).
            _ = encoder.ContinueWith(_ =>
            {
                color.Abort();
                alpha?.Abort();
            }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            ExceptionDispatchInfo? writerFailure = null;
            long lastRowDone = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var stripWidth = frame.Width * scale;
                foreach (var row in rows)
                {
                    var colorStrip = await color.RentAsync(cancellation);
                    var alphaStrip = alpha is null ? null : await alpha.RentAsync(cancellation);
                    // Tile by tile as they finish, so that when the row's last tile is done only that one is left to fetch.
                    var waiting = row.ToList();
                    while (waiting.Count > 0)
                    {
                        var done = await doneTiles.WaitAsync(job.Id, frame.Frame, waiting, cancellation);
                        lastRowDone = clock.ElapsedMilliseconds;
                        await PasteRowAsync(job, frame, done.Where(t => t.Plane == 0), colorStrip, stripWidth, color.Bands, bytesPerSample, cancellation);
                        if (alphaStrip is not null)
                            await PasteRowAsync(job, frame, done.Where(t => t.Plane == 1), alphaStrip, stripWidth, 1, bytesPerSample, cancellation);
                        waiting.RemoveAll(t => done.Any(d => d.Tile == t.Tile));
                    }
                    var rowHeight = row[0].Geometry.CoreHeight * scale;
                    color.Write(colorStrip, rowHeight);
                    alpha?.Write(alphaStrip!, rowHeight);
                }
                color.Complete();
                alpha?.Complete();
            }
            catch (Exception e)
            {
                // The encoder then fails on its truncated streams, and stops.
                writerFailure = ExceptionDispatchInfo.Capture(e);
                color.Abort();
                alpha?.Abort();
            }
            try
            {
                await encoder;
            }
            catch (Exception e) when (writerFailure is null
                || writerFailure.SourceException is OperationCanceledException && !cancellation.IsCancellationRequested)
            {
                // The encoder failed first (the writer only found its pipe aborted): its failure is the cause.
                if (e is ImageOutputException && ScratchFullException.When(farm.ScratchDirectory, e) is ScratchFullException full)
                    throw full;
                throw;
            }
            catch (Exception)
            {
                // Stopped because the writer did: the writer's failure is the cause.
            }
            writerFailure?.Throw();
            var encoded = clock.ElapsedMilliseconds;
            var key = await UploadAsync(job, frame, resultPath, extension, cancellation);
            // What follows the frame's last tile, for tuning: the last row and the file's end, then the upload.
            logger.LogDebug("Frame {Frame} of job {JobId}: encoded {Encode} ms and uploaded {Upload} ms after its last row's tiles were done",
                frame.Frame, job.Id, encoded - lastRowDone, clock.ElapsedMilliseconds - lastRowDone);
            return key;
        }
        finally
        {
            File.Delete(resultPath);
        }
    }

    private void EncodeStreams(JobRecord job, FrameRecord frame, StripPipe color, StripPipe? alpha, SourceScratch? sourceAlpha, byte[]? iccProfile,
        string resultPath, ImageFormat format)
    {
        VipsSetup.EnsureConfigured();
        using var colorSource = color.OpenSource();
        using var alphaSource = alpha?.OpenSource();
        try
        {
            using var colorImage = Image.TiffloadSource(colorSource, access: Enums.Access.Sequential);
            using var alphaImage = alphaSource is null ? null : Image.TiffloadSource(alphaSource, access: Enums.Access.Sequential);
            var image = FrameComposer.Compose(colorImage, frame.IsGray, frame.Is16Bit, alphaImage, sourceAlpha?.Image.Alpha,
                frame.Width, frame.Height, frame.Scale, job.Options.OutScale, iccProfile);
            ImageEncoder.Save(image, resultPath, new EncodeOptions(format) { Quality = job.Options.Quality, PngCompression = options.Value.Assembler.PngCompression });
        }
        catch (VipsException e)
        {
            // The streams' header or data were cut short (the writer stopped): not the image's fault, and no path to show.
            throw new ImageOutputException($"frame {frame.Frame}: encoding stopped ({VipsErrors.Cause(e)})", e);
        }
    }

    private async Task<string> UploadAsync(JobRecord job, FrameRecord frame, string resultPath, string extension, CancellationToken cancellation)
    {
        var key = FarmKeys.Result(job.Tenant, job.Id, frame.Frame, extension);
        await using (var result = File.OpenRead(resultPath))
            await objects.PutAsync(key, result, cancellation);
        return key;
    }

    /// <summary>Whether strips of <paramref name="width"/> × <paramref name="rows"/> at <paramref name="bytesPerPixel"/> (all of a frame's at once) go to scratch files: past Assembler:StripMemoryBytes.</summary>
    private bool InFiles(int width, int rows, int bytesPerPixel) => (long)width * rows * bytesPerPixel > options.Value.Assembler.StripMemoryBytes;

    /// <summary>
    /// Downloads a row of a plane's tiles, pack by pack (<see cref="TilePack"/>; a row holds whole packs) and packs in
    /// parallel, and pastes each tile into the strip.
    /// </summary>
    private async Task PasteRowAsync(JobRecord job, FrameRecord frame, IEnumerable<TileRecord> row, StripBuffer strip, int stripWidth, int bands,
        int bytesPerSample, CancellationToken cancellation)
    {
        var scale = frame.Scale;
        var pool = ArrayPool<byte>.Shared;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.Assembler.ParallelDownloads, CancellationToken = cancellation };
        await Parallel.ForEachAsync(row.GroupBy(t => t.Pack), parallel, async (pack, ct) =>
        {
            var tiles = pack.OrderBy(t => t.Tile).ToList();
            // A frame has hundreds of multi-megabyte tiles: new arrays for each would pile up as garbage faster than the
            // collector returns it, and that garbage, not the strip, would set the assembler's peak memory.
            var (encoded, length) = await objects.RentAllBytesAsync(FarmKeys.TileOutput(job.Tenant, job.Id, frame.Frame, pack.Key), pool, ct);
            try
            {
                var parts = TilePack.Parts(encoded.AsSpan(0, length), tiles.Count);
                for (var i = 0; i < tiles.Count; i++)
                {
                    var (tile, (offset, count)) = (tiles[i], parts[i]);
                    var raster = codec.Decode(encoded.AsSpan(offset, count), pool.Rent);
                    try
                    {
                        if (raster.Width != tile.Geometry.CoreWidth * scale || raster.Height != tile.Geometry.CoreHeight * scale || raster.Bands != bands
                            || raster.BytesPerSample != bytesPerSample)
                            throw new InvalidDataException($"tile {tile.Tile} of frame {frame.Frame} is {raster.Width}x{raster.Height}x{raster.Bands}, not its planned size");
                        Paste(raster, strip, stripWidth, tile.Geometry.CoreX * scale, bands);
                    }
                    finally
                    {
                        pool.Return(raster.Pixels);
                    }
                }
            }
            finally
            {
                pool.Return(encoded);
            }
        });
    }

    private static void Paste(TileRaster raster, StripBuffer strip, int stripWidth, int x, int bands)
    {
        var rowBytes = raster.Width * bands * raster.BytesPerSample;
        for (var y = 0; y < raster.Height; y++)
            strip.Write((((long)y * stripWidth) + x) * bands * raster.BytesPerSample, raster.Pixels.AsSpan(y * rowBytes, rowBytes));
    }

    /// <summary>The profile the result carries (stored once per distinct profile of the job), read within the farm's limit.</summary>
    private async Task<byte[]?> ReadIccProfileAsync(FrameRecord frame, CancellationToken cancellation) => frame.IccKey is { } key
        ? await objects.ReadAllBytesAsync(key, options.Value.Limits.MaxIccProfileBytes, cancellation)
        : null;

    private async Task<SourceScratch> OpenSourceAsync(FrameRecord frame, CancellationToken cancellation)
    {
        var path = Path.Combine(options.Value.ScratchDirectory, $"source-{Guid.NewGuid():N}{Path.GetExtension(frame.SourceKey)}");
        await objects.DownloadAsync(frame.SourceKey, path, cancellation: cancellation);
        try
        {
            return new SourceScratch(path, SourceImage.Open(path, options.Value.Limits.ToImageLimits()));
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>A source copied to scratch for its alpha plane; deleted with it.</summary>
    private sealed record SourceScratch(string Path, SourceImage Image) : IDisposable
    {
        public void Dispose()
        {
            Image.Dispose();
            File.Delete(Path);
        }
    }
}
