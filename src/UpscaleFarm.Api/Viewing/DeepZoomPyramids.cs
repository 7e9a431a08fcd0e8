using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using NetVips;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Imaging;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Viewing;

/// <summary>
/// Deep Zoom pyramids of frame results, for the console's viewer: a gigapixel result is browsed tile by
/// tile instead of downloaded whole. A pyramid is made once, when first asked for, by libvips dzsave
/// streaming the result (JPEG tiles of 254 px with 1 px overlap), and kept in the object store beside the
/// job; image.dzi is stored last, so its presence means the pyramid is complete.
/// </summary>
public sealed class DeepZoomPyramids(IObjectStore objects, IOptions<FarmOptions> farm)
{
    public const string Descriptor = "image.dzi";
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _building = new();

    /// <summary>The pyramid's key prefix, made first if needed.</summary>
    public async Task<string> EnsureAsync(JobRecord job, FrameRecord frame, CancellationToken cancellation)
    {
        var prefix = FarmKeys.DeepZoom(job.Tenant, job.JobId, frame.Frame);
        if (await objects.ExistsAsync(prefix + Descriptor, cancellation))
            return prefix;
        var gate = _building.GetOrAdd(prefix, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellation);
        try
        {
            if (!await objects.ExistsAsync(prefix + Descriptor, cancellation))
                await BuildAsync(frame.ResultKey!, prefix, cancellation);
            return prefix;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task BuildAsync(string resultKey, string prefix, CancellationToken cancellation)
    {
        var work = Path.Combine(farm.Value.ScratchDirectory, $"dzi-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var result = Path.Combine(work, "result" + Path.GetExtension(resultKey));
            await objects.DownloadAsync(resultKey, result, cancellation: cancellation);
            VipsSetup.EnsureConfigured();
            using (var image = Image.NewFromFile(result, access: Enums.Access.Sequential))
                ForJpeg(image).Dzsave(Path.Combine(work, "image"), suffix: ".jpeg[Q=85]", tileSize: 254, overlap: 1);
            var tiles = Path.Combine(work, "image_files");
            foreach (var file in Directory.EnumerateFiles(tiles, "*", SearchOption.AllDirectories))
            {
                await using var content = File.OpenRead(file);
                await objects.PutAsync(prefix + "image_files/" + Path.GetRelativePath(tiles, file).Replace('\\', '/'), content, cancellation);
            }
            await using (var descriptor = File.OpenRead(Path.Combine(work, Descriptor)))
                await objects.PutAsync(prefix + Descriptor, descriptor, cancellation);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>JPEG tiles are 8-bit without alpha: 16-bit results are reduced, transparency shown on white.</summary>
    private static Image ForJpeg(Image image)
    {
        if (image.Format == Enums.BandFormat.Ushort)
            image = image.Colourspace(image.Bands >= 3 ? Enums.Interpretation.Srgb : Enums.Interpretation.Bw);
        return image.HasAlpha() ? image.Flatten(background: [255.0]) : image;
    }
}
