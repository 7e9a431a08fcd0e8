using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// One submission's files becoming its job's frames. Each file is streamed to a scratch file under the
/// job's byte budget; a .zip is expanded into frames (<see cref="ZipFrames"/>); each image's header is
/// checked against the tenant's limits (format, pixels; nothing decoded) before it is stored. A refused
/// file fails the submission before the job exists, and <see cref="DiscardAsync"/> removes what was stored.
/// </summary>
public sealed class JobUpload(FarmClient client, FarmOptions farm, string tenant, Guid jobId, TenantOptions limits)
{
    private readonly List<FrameSource> _frames = [];
    private readonly ByteBudget _budget = new(limits.MaxUploadBytes);

    public IReadOnlyList<FrameSource> Frames => _frames;

    public async Task AddFileAsync(string name, Stream content, CancellationToken cancellation)
    {
        var path = ScratchPath(Path.GetExtension(name));
        try
        {
            await using (var file = File.Create(path))
                await _budget.CopyAsync(content, file, cancellation);
            if (ZipFrames.IsZip(path))
                await ZipFrames.ExpandAsync(path, limits, ScratchPath, (entryName, framePath) => AddFrameAsync(entryName, framePath, cancellation), cancellation);
            else
                await AddFrameAsync(name, path, cancellation);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public Task DiscardAsync() => client.DeleteUploadsAsync(_frames);

    private async Task AddFrameAsync(string name, string path, CancellationToken cancellation)
    {
        if (_frames.Count >= limits.MaxFrames)
            throw UploadRejectedException.TooLarge($"a job may have at most {limits.MaxFrames} frames");
        var imageLimits = new ImageLimits
        {
            MaxInputPixels = Math.Min(limits.MaxPixels, farm.Limits.MaxInputPixels), MaxInputBytes = farm.Limits.MaxInputBytes, MaxSide = farm.Limits.MaxSide,
        };
        try
        {
            SourceImage.Open(path, imageLimits, name).Dispose();
        }
        catch (ImageInputException e)
        {
            throw UploadRejectedException.Unprocessable(e.Message);
        }
        await using var file = File.OpenRead(path);
        _frames.Add(await client.UploadFrameAsync(tenant, jobId, _frames.Count, name, file, cancellation));
    }

    private string ScratchPath(string extension)
    {
        var directory = Path.Combine(farm.ScratchDirectory, "uploads");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $"{jobId:N}-{Guid.NewGuid():N}{extension.ToLowerInvariant()}");
    }
}
