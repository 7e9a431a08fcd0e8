using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Imaging;
using UpscaleFarm.Video;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// One submission's files becoming its job's frames. Each file is streamed to a scratch file under the
/// job's byte budget; a .zip is expanded into frames (<see cref="ZipFrames"/>), a video too
/// (<see cref="VideoFrames"/>: then it must be the job's only file); each image's header is
/// checked against the tenant's limits (format, pixels; nothing decoded) before it is stored. A refused
/// file fails the submission before the job exists, and <see cref="DiscardAsync"/> removes what was stored.
/// </summary>
public sealed class JobUpload(FarmClient client, FarmOptions farm, string tenant, Guid jobId, TenantOptions limits)
{
    private readonly List<FrameSource> _frames = [];
    private readonly List<FrameSource> _uploaded = [];
    private readonly List<string> _videoKeys = [];
    private readonly ByteBudget _budget = new(limits.MaxUploadBytes);
    private string? _videoKey;

    public IReadOnlyList<FrameSource> Frames => _frames;

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
                await ZipFrames.ExpandAsync(path, limits, ScratchPath, (entryName, framePath) => AddFrameAsync(entryName, framePath, cancellation), cancellation);
            else
                await AddFrameAsync(name, path, cancellation);
        }
        finally
        {
            File.Delete(path);
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
    /// Adds an object already in the tenant's area (<see cref="TenantUploads"/>) as a frame, by reference:
    /// it is read once to check its header against the limits, and not copied.
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
            CheckImage(name, path);
            _frames.Add(new FrameSource(key, name));
        }
        finally
        {
            File.Delete(path);
        }
    }

    public async Task DiscardAsync()
    {
        // Only what this submission stored; objects it referenced stay the tenant's.
        await client.DeleteUploadsAsync(_uploaded);
        await client.DeleteObjectsAsync(_videoKeys);
    }

    private async Task AddVideoAsync(string name, string path, CancellationToken cancellation)
    {
        var frames = Path.Combine(farm.ScratchDirectory, "uploads", $"{jobId:N}-frames");
        try
        {
            var video = await VideoFrames.ExtractAsync(path, frames, limits, Math.Min(limits.MaxPixels, farm.Limits.MaxInputPixels), farm.Media.ToLimits(), cancellation);
            var stem = Path.GetFileNameWithoutExtension(name);
            for (var i = 0; i < video.Frames.Count; i++)
            {
                await AddFrameAsync($"{stem}-{i:D6}.png", video.Frames[i], cancellation);
                File.Delete(video.Frames[i]); // keeps scratch at one copy of the frames
            }
            var videoKey = FarmKeys.VideoSource(tenant, jobId, Path.GetExtension(name).ToLowerInvariant());
            _videoKeys.Add(videoKey);
            await using (var source = File.OpenRead(path))
                await client.PutObjectAsync(videoKey, source, cancellation);
            var timesKey = FarmKeys.VideoTimes(tenant, jobId);
            _videoKeys.Add(timesKey);
            await client.PutObjectAsync(timesKey, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(FrameTimes.Format(video.Info.DurationSeconds, video.Times))), cancellation);
            _videoKey = videoKey;
        }
        finally
        {
            if (Directory.Exists(frames))
                Directory.Delete(frames, recursive: true);
        }
    }

    private async Task AddFrameAsync(string name, string path, CancellationToken cancellation)
    {
        CheckImage(name, path);
        await using var file = File.OpenRead(path);
        var frame = await client.UploadFrameAsync(tenant, jobId, _frames.Count, name, file, cancellation);
        _uploaded.Add(frame);
        _frames.Add(frame);
    }

    private void CheckImage(string name, string path)
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
    }

    private string ScratchPath(string extension)
    {
        var directory = Path.Combine(farm.ScratchDirectory, "uploads");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $"{jobId:N}-{Guid.NewGuid():N}{extension.ToLowerInvariant()}");
    }
}
