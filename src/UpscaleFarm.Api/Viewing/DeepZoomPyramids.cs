using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using NetVips;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Imaging;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Viewing;

/// <summary>
/// Deep Zoom pyramids of frame results, for the console's viewer: a gigapixel result is browsed tile by
/// tile instead of downloaded whole. A pyramid is made once, when first asked for, by libvips dzsave
/// streaming the result (JPEG tiles of 254 px with 1 px overlap), and kept in the object store beside the
/// job; image.dzi is stored last, so its presence means the pyramid is complete. Building one costs this API process
/// CPU, scratch and store bytes, so at most Api:MaxConcurrentPyramids are built at once and one per tenant (others
/// wait their turn), and each is counted before it starts: its scratch against the tenant's MaxScratchBytes, its
/// pyramid (reckoned at 4/3 of the result's size: every level is a quarter of the one below) against MaxStoredBytes.
/// </summary>
public sealed class DeepZoomPyramids(IObjectStore objects, TenantQuotas quotas, IOptions<FarmOptions> farm, IOptions<ApiOptions> api)
{
    public const string Descriptor = "image.dzi";
    // One build of a pyramid at a time: a gate per pyramid being asked for, kept only while someone holds or awaits it.
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _building = [];
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _tenants = new();
    private readonly SemaphoreSlim _slots = new(Math.Max(1, api.Value.MaxConcurrentPyramids));

    /// <summary>The pyramid's key prefix, made first if needed.</summary>
    public async Task<string> EnsureAsync(JobRecord job, FrameRecord frame, TenantOptions? limits, CancellationToken cancellation)
    {
        var prefix = FarmKeys.DeepZoom(job.Tenant, job.Id, frame.Frame);
        if (await objects.ExistsAsync(prefix + Descriptor, cancellation))
            return prefix;
        var gate = Enter(prefix);
        var tenant = _tenants.GetOrAdd(job.Tenant, _ => new SemaphoreSlim(1, 1));
        try
        {
            await gate.WaitAsync(cancellation);
        }
        catch
        {
            Leave(prefix);
            throw;
        }
        try
        {
            if (await objects.ExistsAsync(prefix + Descriptor, cancellation))
                return prefix;
            await tenant.WaitAsync(cancellation);
            try
            {
                await _slots.WaitAsync(cancellation);
                try
                {
                    await BuildAsync(job, frame.ResultKey!, prefix, limits, cancellation);
                }
                finally
                {
                    _slots.Release();
                }
            }
            finally
            {
                tenant.Release();
            }
            return prefix;
        }
        finally
        {
            gate.Release();
            Leave(prefix);
        }
    }

    private SemaphoreSlim Enter(string prefix)
    {
        lock (_building)
        {
            var (gate, users) = _building.TryGetValue(prefix, out var entry) ? entry : (new SemaphoreSlim(1, 1), 0);
            _building[prefix] = (gate, users + 1);
            return gate;
        }
    }

    private void Leave(string prefix)
    {
        lock (_building)
        {
            var (gate, users) = _building[prefix];
            if (users > 1)
                _building[prefix] = (gate, users - 1);
            else
                _building.Remove(prefix); // not disposed: a waiter that was cancelled may still be leaving its WaitAsync
        }
    }

    /// <param name="limits">The tenant's limits; null when the admin asks, whose views are not the tenant's to pay for, but are still bounded.</param>
    private async Task BuildAsync(JobRecord job, string resultKey, string prefix, TenantOptions? limits, CancellationToken cancellation)
    {
        var work = Path.Combine(farm.Value.ScratchDirectory, $"dzi-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        using var quota = await quotas.BeginAsync(job.Tenant, limits ?? new TenantOptions { Name = job.Tenant, MaxStoredBytes = long.MaxValue, MaxScratchBytes = long.MaxValue },
            cancellation, countsAsJob: false);
        try
        {
            var result = Path.Combine(work, "result" + Path.GetExtension(resultKey));
            await using (var opened = await objects.OpenWithLengthAsync(resultKey, cancellation))
            {
                var size = opened.Length ?? 0;
                quota.Spend(size * 4 / 3, "stored bytes with this frame's Deep Zoom pyramid");
                quota.HoldScratch(size + size * 4 / 3);
                await using var file = File.Create(result);
                await opened.Content.CopyToAsync(file, cancellation);
            }
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
            quota.Complete();
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
