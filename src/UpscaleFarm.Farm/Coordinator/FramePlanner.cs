using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using NetVips;
using UpscaleFarm.Engine.Tiling;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Cuts one frame into tile inputs. The source is copied from the object store to a scratch file and
/// opened by libvips, which checks the limits from the header and decodes only the regions read (a
/// large non-tiled source is decoded once into a disk buffer, never whole into memory). Each tile's
/// input window (core plus halo) goes to the object store in the tile codec.
/// </summary>
public sealed class FramePlanner(IObjectStore objects, ITileCodec codec, ModelCatalog catalog, IOptions<FarmOptions> options)
{
    private const int ParallelTiles = 4;

    public async Task<(FrameRecord Frame, List<TileRecord> Tiles)> PlanAsync(JobRecord job, FrameRecord frame, CancellationToken cancellation)
    {
        var farm = options.Value;
        var model = catalog.Find(job.Model);
        Directory.CreateDirectory(farm.ScratchDirectory);
        var sourcePath = Path.Combine(farm.ScratchDirectory, $"source-{Guid.NewGuid():N}{Path.GetExtension(frame.SourceKey)}");
        try
        {
            await DownloadSourceAsync(frame, sourcePath, farm.Limits.MaxInputBytes, cancellation);
            using var source = SourceImage.Open(sourcePath, farm.Limits.ToImageLimits(), Label(frame));
            var alphaPlane = source.Alpha is null ? 0 : job.Alpha == "resample" ? 2 : 1;
            // The API checked this from the header it was given; jobs made elsewhere (the CLI, farm submit) are checked here.
            var options = new JobRequest { OutScale = job.OutScale, Format = job.Format, TileSize = job.TileSize, Halo = job.Halo };
            if (JobOptionRules.CheckFrame(options, model, source.Width, source.Height, alphaPlane == 1 ? 2 : 1, farm.Limits, farm.Limits.MaxOutputPixels) is { } problem)
                throw new ImageInputException($"{Label(frame)}: {problem}");
            var tile = JobOptionRules.EffectiveTile(job.TileSize, model);
            var plan = TilePlanner.Plan(source.Width, source.Height, tile, JobOptionRules.EffectiveHalo(job.Halo, tile, model));
            var planes = alphaPlane == 1 ? new[] { source.Color, source.Alpha! } : new[] { source.Color };

            var tiles = new List<TileRecord>(plan.Tiles.Count * planes.Length);
            for (var plane = 0; plane < planes.Length; plane++)
                tiles.AddRange(plan.Tiles.Select(t => Record(job.Id, frame.Frame, plane * plan.Tiles.Count + t.Index, plane, t)));

            await Parallel.ForEachAsync(tiles, new ParallelOptions { MaxDegreeOfParallelism = ParallelTiles, CancellationToken = cancellation },
                async (tile, ct) =>
                {
                    var raster = ReadWindow(planes[tile.Plane], tile, source.Is16Bit);
                    var key = FarmKeys.TileInput(job.Tenant, job.JobId, frame.Frame, tile.Tile);
                    await objects.PutAsync(key, new MemoryStream(codec.Encode(raster), writable: false), ct);
                });

            var planned = new FrameRecord
            {
                JobId = job.Id, Frame = frame.Frame, SourceKey = frame.SourceKey, Name = frame.Name,
                Width = source.Width, Height = source.Height, Scale = model.Scale,
                IsGray = source.IsGray ? 1 : 0, Is16Bit = source.Is16Bit ? 1 : 0,
                AlphaPlane = alphaPlane, IccProfile = source.IccProfile,
            };
            return (planned, tiles);
        }
        catch (VipsException e)
        {
            // Decoding is lazy: a corrupt or truncated source is found when a tile's pixels are read.
            throw new ImageInputException($"{Label(frame)}: the image data is corrupt or truncated ({VipsErrors.Cause(e)})", e);
        }
        finally
        {
            File.Delete(sourcePath);
        }
    }

    private static TileRecord Record(string jobId, int frame, int index, int plane, Tile tile) => new()
    {
        JobId = jobId, Frame = frame, Tile = index, Plane = plane, State = TileState.Pending,
        InputX = tile.Input.X, InputY = tile.Input.Y, InputWidth = tile.Input.Width, InputHeight = tile.Input.Height,
        CoreX = tile.Core.X, CoreY = tile.Core.Y, CoreWidth = tile.Core.Width, CoreHeight = tile.Core.Height,
    };

    private static TileRaster ReadWindow(Image plane, TileRecord tile, bool is16Bit)
    {
        using var window = plane.Crop(tile.InputX, tile.InputY, tile.InputWidth, tile.InputHeight);
        var pixels = is16Bit ? MemoryMarshal.AsBytes(window.WriteToMemory<ushort>().AsSpan()).ToArray() : window.WriteToMemory<byte>();
        return new TileRaster(tile.InputWidth, tile.InputHeight, plane.Bands, is16Bit, pixels);
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
