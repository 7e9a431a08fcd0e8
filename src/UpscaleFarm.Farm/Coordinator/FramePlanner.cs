using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using NetVips;
using UpscaleFarm.Engine.Tiling;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Packing;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Plans one frame and cuts it into tile inputs. The source is copied from the object store to a scratch file and
/// opened by libvips, which checks the limits from the header and decodes only the regions read (a large non-tiled
/// source is decoded once into a disk buffer, never whole into memory). The plan comes from the header alone, so it
/// is recorded before any tile is cut; then each tile's input window (core plus halo) goes to the object store in the
/// tile codec, row of tiles by row, and each row is reported as soon as it is there, for the workers to start on.
/// </summary>
public sealed class FramePlanner(IObjectStore objects, ITileCodec codec, ModelCatalog catalog, IOptions<FarmOptions> options)
{
    private const int ParallelTiles = 4;

    /// <summary>Copies the source to scratch, opens it and plans its tiles (none cut: <see cref="TileRecord.Cut"/> 0).</summary>
    public async Task<OpenedFrame> OpenAsync(JobRecord job, FrameRecord frame, CancellationToken cancellation)
    {
        var farm = options.Value;
        var model = catalog.Find(job.Model);
        Directory.CreateDirectory(farm.ScratchDirectory);
        var sourcePath = Path.Combine(farm.ScratchDirectory, $"source-{Guid.NewGuid():N}{Path.GetExtension(frame.SourceKey)}");
        SourceImage? source = null;
        try
        {
            await DownloadSourceAsync(frame, sourcePath, farm.Limits.MaxInputBytes, cancellation);
            source = SourceImage.Open(sourcePath, farm.Limits.ToImageLimits(), Label(frame));
            var alphaPlane = source.Alpha is null ? AlphaPlane.None : job.Options.Alpha == AlphaMode.Resample ? AlphaPlane.Resampled : AlphaPlane.Model;
            // The API checked this from the header it was given; jobs made elsewhere (the CLI, farm submit) are checked here.
            if (JobOptionRules.CheckFrame(job.Options, model, FrameShape.Of(source), farm.Limits, farm.Limits.MaxOutputPixels) is { } problem)
                throw new ImageInputException($"{Label(frame)}: {problem}");
            var tile = JobOptionRules.EffectiveTile(job.Options.TileSize, model);
            var plan = TilePlanner.Plan(source.Width, source.Height, tile, JobOptionRules.EffectiveHalo(job.Options.Halo, tile, model));
            var planes = alphaPlane == AlphaPlane.Model ? 2 : 1;

            var packs = TilePacker.PackStarts(plan.Tiles, farm.Coordinator.PackPixels, farm.Coordinator.MaxPackTiles);
            var tiles = new List<TileRecord>(plan.Tiles.Count * planes);
            for (var plane = 0; plane < planes; plane++)
            {
                var first = plane * plan.Tiles.Count;
                tiles.AddRange(plan.Tiles.Select(t => Record(job.Id, frame.Frame, first + t.Index, first + packs[t.Index], plane, t)));
            }

            var planned = new FrameRecord
            {
                JobId = job.Id, Frame = frame.Frame, SourceKey = frame.SourceKey, Name = frame.Name,
                Width = source.Width, Height = source.Height, Scale = model.Scale,
                IsGray = source.IsGray, Is16Bit = source.Is16Bit,
                AlphaPlane = alphaPlane, IccKey = await StoreIccProfileAsync(job, source.IccProfile, cancellation),
            };
            return new OpenedFrame(sourcePath, source, planned, tiles);
        }
        catch (Exception e)
        {
            source?.Dispose();
            File.Delete(sourcePath);
            if (e is VipsException vips)
                throw new ImageInputException($"{Label(frame)}: the image data is corrupt or truncated ({VipsErrors.Cause(vips)})", vips);
            throw;
        }
    }

    /// <summary>
    /// Cuts <paramref name="tiles"/> of an opened frame (any subset of whole packs: a redelivered plan cuts what is left),
    /// top row of tiles first, both planes of a row together (the assembler writes the result top to bottom), each pack
    /// (<see cref="TilePack"/>) as one object, and yields each row once all its packs are in the object store. Rows
    /// overlap (the next row is cut while the last uploads of the one before finish), so rows may come slightly out of
    /// order. A caller that stops reading stops the cutting.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<TileRecord>> CutAsync(JobRecord job, OpenedFrame opened, IReadOnlyList<TileRecord> tiles,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        var rows = tiles.GroupBy(t => t.Geometry.CoreY).OrderBy(r => r.Key).Select(r => r.OrderBy(t => t.Plane).ThenBy(t => t.Geometry.CoreX).ToList()).ToList();
        var cut = Channel.CreateUnbounded<IReadOnlyList<TileRecord>>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var cutting = Task.Run(async () =>
        {
            try
            {
                await CutRowsAsync(job, opened, rows, cut.Writer, stop.Token);
                cut.Writer.Complete();
            }
            catch (Exception e)
            {
                cut.Writer.Complete(e); // the reader below throws it
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var row in cut.Reader.ReadAllAsync(cancellation))
                yield return row;
        }
        finally
        {
            await stop.CancelAsync();
            await cutting;
        }
    }

    private async Task CutRowsAsync(JobRecord job, OpenedFrame opened, List<List<TileRecord>> rows, ChannelWriter<IReadOnlyList<TileRecord>> cut,
        CancellationToken cancellation)
    {
        var frame = opened.Frame;
        var planes = opened.Source.Alpha is null ? new[] { opened.Source.Color } : new[] { opened.Source.Color, opened.Source.Alpha };
        var packs = rows.SelectMany((row, r) => row.GroupBy(t => t.Pack).Select(pack => (Row: r, Tiles: pack.ToList()))).ToList();
        var remaining = rows.Select((_, r) => packs.Count(p => p.Row == r)).ToArray();
        try
        {
            await Parallel.ForEachAsync(packs, new ParallelOptions { MaxDegreeOfParallelism = ParallelTiles, CancellationToken = cancellation },
                async (pack, ct) =>
                {
                    var encoded = ReadWindows(planes[pack.Tiles[0].Plane], pack.Tiles, opened.Source.Is16Bit)
                        .Select(raster => new ArraySegment<byte>(codec.Encode(raster))).ToList();
                    var key = FarmKeys.TileInput(job.Tenant, job.Id, frame.Frame, pack.Tiles[0].Pack);
                    await objects.PutAsync(key, new MemoryStream(TilePack.Write(encoded, length => new byte[length]).Array!, writable: false), ct);
                    // The upload that completes its row reports the row; a row is reported once.
                    if (Interlocked.Decrement(ref remaining[pack.Row]) == 0)
                        cut.TryWrite(rows[pack.Row]);
                });
        }
        catch (VipsException e)
        {
            // Decoding is lazy: a corrupt or truncated source is found when a tile's pixels are read.
            throw new ImageInputException($"{Label(frame)}: the image data is corrupt or truncated ({VipsErrors.Cause(e)})", e);
        }
    }

    private static TileRecord Record(Guid jobId, int frame, int index, int pack, int plane, Tile tile) => new()
    {
        JobId = jobId, Frame = frame, Tile = index, Pack = pack, Plane = plane, State = TileState.Pending,
        Geometry = TileGeometries.From(tile), Cut = false,
    };

    /// <summary>
    /// The input windows of a pack's tiles (neighbours in one row): their bounding box is read from libvips once, and each
    /// window copied out of it, since a region read costs far more than the copy for small tiles.
    /// </summary>
    private static IEnumerable<TileRaster> ReadWindows(Image plane, IReadOnlyList<TileRecord> tiles, bool is16Bit)
    {
        var windows = tiles.Select(t => t.Geometry.Input()).ToList();
        int left = windows.Min(w => w.X), top = windows.Min(w => w.Y);
        int width = windows.Max(w => w.Right) - left, height = windows.Max(w => w.Bottom) - top;
        byte[] pixels;
        using (var box = plane.Crop(left, top, width, height))
            pixels = is16Bit ? MemoryMarshal.AsBytes(box.WriteToMemory<ushort>().AsSpan()).ToArray() : box.WriteToMemory<byte>();
        // A pack of one (every tile of the models' default size) is its box: no copy on a GPU farm's hot path.
        if (tiles.Count == 1)
        {
            yield return new TileRaster(width, height, plane.Bands, is16Bit, pixels);
            yield break;
        }
        var pixelBytes = plane.Bands * (is16Bit ? 2 : 1);
        foreach (var input in windows)
        {
            var rowBytes = input.Width * pixelBytes;
            var window = new byte[rowBytes * input.Height];
            for (var y = 0; y < input.Height; y++)
                pixels.AsSpan((((input.Y - top + y) * width) + input.X - left) * pixelBytes, rowBytes).CopyTo(window.AsSpan(y * rowBytes));
            yield return new TileRaster(input.Width, input.Height, plane.Bands, is16Bit, window);
        }
    }

    /// <summary>
    /// The frame's ICC profile into the object store under its hash, once per distinct profile of the job (the frames of a
    /// set share one): the row keeps only its key, and the profile's bytes lie with the job's, counted and purged with them.
    /// </summary>
    private async Task<string?> StoreIccProfileAsync(JobRecord job, byte[]? profile, CancellationToken cancellation)
    {
        if (profile is null)
            return null;
        var key = FarmKeys.IccProfile(job.Tenant, job.Id, profile);
        if (!await objects.ExistsAsync(key, cancellation))
            await objects.PutAsync(key, new MemoryStream(profile, writable: false), cancellation);
        return key;
    }

    // The limit holds for sources that were not size-checked on upload (named objects, S3 writes).
    private async Task DownloadSourceAsync(FrameRecord frame, string path, long maxBytes, CancellationToken cancellation)
    {
        try
        {
            await objects.DownloadAsync(frame.SourceKey, path, maxBytes, cancellation);
        }
        catch (ObjectTooLargeException)
        {
            throw new ImageInputException($"{Label(frame)}: over the limit of {maxBytes} bytes");
        }
    }

    /// <summary>What messages call the frame: its file name as submitted (frame sets also say which frame).</summary>
    private static string Label(FrameRecord frame) =>
        frame.Name.Length == 0 ? $"frame {frame.Frame}" : frame.Frame == 0 ? frame.Name : $"frame {frame.Frame} ({frame.Name})";
}
