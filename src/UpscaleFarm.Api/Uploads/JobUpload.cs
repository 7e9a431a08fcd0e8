using System.Security.Cryptography;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Video;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// One submission's files becoming its job's frames. Each file is streamed to a scratch file under the
/// job's byte budget and the tenant's scratch space; a .zip is expanded into frames (<see cref="ZipFrames"/>), a video
/// too (<see cref="VideoFrames"/>: then it must be the job's only file); each image's header is
/// checked against the tenant's limits (format, pixels, ICC profile; nothing decoded) before it is stored. A refused
/// file fails the submission before the job exists, and <see cref="DiscardAsync"/> removes what was stored.
/// </summary>
/// <param name="quota">The tenant's quotas: every byte stored for the job is spent from it first, every scratch byte held.</param>
public sealed class JobUpload(FarmClient client, FarmOptions farm, string tenant, Guid jobId, TenantOptions limits, QuotaLease quota)
{
    private readonly List<FrameSource> _frames = [];
    private readonly List<FrameSource> _uploaded = [];
    private readonly List<string> _videoKeys = [];
    private readonly List<(string Name, FrameShape Shape)> _shapes = [];
    // The job's distinct ICC profiles (by hash) and their sizes: each is stored once with the job.
    private readonly Dictionary<string, long> _iccProfiles = [];
    // Everything uploaded is written to scratch first: its bytes hold the tenant's scratch space as they arrive.
    private readonly ByteBudget _budget = new(limits.MaxUploadBytes, onSpend: quota.HoldScratch);
    // One budget for the whole job, across its zips and its video's decoded frames, spent as bytes inflate.
    private readonly ByteBudget _inflated = new(limits.MaxUnzippedBytes, "the job's uncompressed content");
    private string? _videoKey;

    public IReadOnlyList<FrameSource> Frames => _frames;

    /// <summary>
    /// Refuses the job if any frame, at the size its header declared, cannot be made with these options
    /// (the result's pixels against the tenant's and the farm's limits, the format's side limit, the tiles).
    /// </summary>
    public void CheckOutput(JobRequest request, ModelCatalog catalog)
    {
        var model = catalog.Find(request.Model);
        var maxOutput = Math.Min(limits.MaxOutputPixels ?? long.MaxValue, farm.Limits.MaxOutputPixels);
        var problems = _shapes
            .Select(f => JobOptionRules.CheckFrame(request, model, f.Shape, farm.Limits, maxOutput) is { } problem ? $"{f.Name}: {problem}" : null)
            .OfType<string>().Distinct().Take(10).ToArray();
        if (problems.Length > 0)
            throw new JobRequestException(new Dictionary<string, string[]> { ["files"] = problems });
    }

    /// <summary>
    /// Reserves, against the tenant's store quota, what the job will write (<see cref="JobRecord.ReservedBytes"/>): each
    /// frame's result at its uncompressed size, the encoders' worst case (plus a sixteenth and 4 KB for the container), a video's
    /// encoding at an eighth of its frames more, and each distinct ICC profile once. Refused (413) past the quota.
    /// </summary>
    /// <returns>The bytes reserved.</returns>
    public long ReserveResults(JobRequest request, ModelCatalog catalog)
    {
        var model = catalog.Find(request.Model);
        var scale = request.OutScale ?? model.Scale;
        var frames = _shapes.Sum(f =>
        {
            var raw = (long)Math.Min(Math.Round(f.Shape.Width * scale) * Math.Round(f.Shape.Height * scale) * f.Shape.Bands * f.Shape.BytesPerSample, long.MaxValue / 4);
            return raw + raw / 16 + 4096;
        });
        var reserved = frames + (_videoKey is null ? 0 : frames / 8) + _iccProfiles.Values.Sum();
        quota.Spend(reserved, "stored bytes with this job's results");
        return reserved;
    }

    public async Task AddFileAsync(string name, Stream content, CancellationToken cancellation)
    {
        var path = ScratchPath(Path.GetExtension(name));
        try
        {
            await using (var file = File.Create(path))
                await _budget.CopyAsync(content, file, cancellation);
            if (_videoKey is not null || (VideoProbe.HasVideoExtension(name) && _frames.Count > 0))
                throw UploadRejectedException.Unprocessable("a video must be the job's only file");
            if (VideoProbe.HasVideoExtension(name))
                await AddVideoAsync(name, path, cancellation);
            else if (ZipFrames.IsZip(path))
                await ZipFrames.ExpandAsync(path, limits, (entryName, entry) => AddInflatedAsync(entryName, entry, cancellation), cancellation);
            else
                await AddFrameAsync(name, path, cancellation);
        }
        finally
        {
            DeleteScratch(path);
        }
    }

    /// <summary>
    /// The stored source video, if the upload was one and its result is to be a video; otherwise the video
    /// copy is removed and the job is a plain frame set.
    /// </summary>
    public async Task<string?> KeepVideoAsync(bool asVideo)
    {
        if (_videoKey is null || asVideo)
            return _videoKey;
        await client.DeleteObjectsAsync(_videoKeys);
        _videoKeys.Clear();
        return _videoKey = null;
    }

    /// <summary>
    /// Adds an object already in the tenant's area (<see cref="TenantUploads"/>) as a frame: it is read once
    /// into scratch, checked there against the limits, and exactly those checked bytes are stored as the
    /// job's source. The job is frozen at submission: replacing the upload afterwards changes nothing.
    /// </summary>
    public async Task AddStoredAsync(string key, CancellationToken cancellation)
    {
        var name = Path.GetFileName(key);
        var path = ScratchPath(Path.GetExtension(name));
        try
        {
            await using (var source = await client.OpenObjectAsync(key, cancellation))
            await using (var file = File.Create(path))
                await _budget.CopyAsync(source, file, cancellation);
            await AddFrameAsync(name, path, cancellation);
        }
        finally
        {
            DeleteScratch(path);
        }
    }

    public async Task DiscardAsync()
    {
        // Only what this submission stored; the uploads it copied from stay the tenant's.
        await client.DeleteUploadsAsync(_uploaded);
        await client.DeleteObjectsAsync(_videoKeys);
    }

    /// <summary>A zip entry, inflated into scratch against the job's budget and, each, the farm's largest input.</summary>
    private async Task AddInflatedAsync(string name, Stream content, CancellationToken cancellation)
    {
        var path = ScratchPath(Path.GetExtension(name));
        try
        {
            var entry = new ByteBudget(farm.Limits.MaxInputBytes, $"zip entry '{name}'", bytes =>
            {
                _inflated.Spend(bytes);
                quota.HoldScratch(bytes);
            });
            await using (var file = File.Create(path))
                await entry.CopyAsync(content, file, cancellation);
            await AddFrameAsync(name, path, cancellation);
        }
        finally
        {
            DeleteScratch(path);
        }
    }

    private async Task AddVideoAsync(string name, string path, CancellationToken cancellation)
    {
        var frames = Path.Combine(farm.ScratchDirectory, "uploads", $"{jobId:N}-frames");
        long decoded = 0;
        try
        {
            var video = await VideoFrames.ExtractAsync(path, frames, limits, Math.Min(limits.MaxPixels, farm.Limits.MaxInputPixels), farm.Media.ToLimits(),
                bytes => quota.HoldScratch(decoded = bytes), cancellation);
            var stem = Path.GetFileNameWithoutExtension(name);
            for (var i = 0; i < video.Frames.Count; i++)
            {
                _inflated.Spend(new FileInfo(video.Frames[i]).Length);
                await AddFrameAsync($"{stem}-{i:D6}.png", video.Frames[i], cancellation);
                File.Delete(video.Frames[i]); // keeps scratch at one copy of the frames
            }
            var videoKey = FarmKeys.VideoSource(tenant, jobId, Path.GetExtension(name).ToLowerInvariant());
            _videoKeys.Add(videoKey);
            await using (var source = File.OpenRead(path))
            {
                quota.Spend(source.Length);
                await client.PutObjectAsync(videoKey, source, cancellation);
            }
            var timesKey = FarmKeys.VideoTimes(tenant, jobId);
            _videoKeys.Add(timesKey);
            await client.PutObjectAsync(timesKey, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(FrameTimes.Format(video.Info.DurationSeconds, video.Times))), cancellation);
            _videoKey = videoKey;
        }
        finally
        {
            if (Directory.Exists(frames))
                Directory.Delete(frames, recursive: true);
            quota.ReleaseScratch(decoded);
        }
    }

    private async Task AddFrameAsync(string name, string path, CancellationToken cancellation)
    {
        CheckImage(name, path);
        await using var file = File.OpenRead(path);
        quota.Spend(file.Length);
        var frame = await client.UploadFrameAsync(tenant, jobId, _frames.Count, name, file, cancellation);
        _uploaded.Add(frame);
        _frames.Add(frame);
    }

    private void CheckImage(string name, string path)
    {
        if (_frames.Count >= limits.MaxFrames)
            throw UploadRejectedException.TooLarge($"a job may have at most {limits.MaxFrames} frames");
        var imageLimits = farm.Limits.ToImageLimits() with { MaxInputPixels = Math.Min(limits.MaxPixels, farm.Limits.MaxInputPixels) };
        try
        {
            using var image = SourceImage.Open(path, imageLimits, name);
            _shapes.Add((name, FrameShape.Of(image)));
            if (image.IccProfile is { } profile)
                _iccProfiles.TryAdd(Convert.ToHexStringLower(SHA256.HashData(profile)), profile.Length);
        }
        catch (ImageInputException e)
        {
            throw UploadRejectedException.Unprocessable(e.Message);
        }
    }

    private void DeleteScratch(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
            return;
        var length = file.Length;
        file.Delete();
        quota.ReleaseScratch(length);
    }

    private string ScratchPath(string extension)
    {
        var directory = Path.Combine(farm.ScratchDirectory, "uploads");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $"{jobId:N}-{Guid.NewGuid():N}{extension.ToLowerInvariant()}");
    }

}
