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
/// job's byte budget and the tenant's scratch space; a .zip is expanded into frames (<see cref="ZipFrames"/>); each image's
/// header is checked against the tenant's limits (format, pixels, ICC profile; nothing decoded) before it is stored. A
/// video (then the job's only file) is checked from its headers (<see cref="VideoHeaders"/>) and stored as it is: the
/// coordinator cuts it into the job's frames, so the request does not wait for it to be decoded. A refused file fails
/// the submission before the job exists, and <see cref="DiscardAsync"/> removes what was stored.
/// </summary>
/// <param name="quota">The tenant's quotas: every byte stored for the job is spent from it first, every scratch byte held.</param>
public sealed class JobUpload(FarmClient client, FarmOptions farm, string tenant, Guid jobId, TenantOptions limits, QuotaLease quota)
{
    private readonly List<FrameSource> _frames = [];
    private readonly List<FrameSource> _uploaded = [];
    private readonly List<(string Name, FrameShape Shape)> _shapes = [];
    // The job's distinct ICC profiles (by hash) and their sizes: each is stored once with the job.
    private readonly Dictionary<string, long> _iccProfiles = [];
    // Everything uploaded is written to scratch first: its bytes hold the tenant's scratch space as they arrive.
    private readonly ByteBudget _budget = new(limits.MaxUploadBytes, onSpend: quota.HoldScratch);
    // One budget for the whole job, across its zips, spent as bytes inflate (a video's frames are held to the same limit when cut).
    private readonly ByteBudget _inflated = new(limits.MaxUnzippedBytes, "the job's uncompressed content");
    // The stored source video, its file name, and what its headers say.
    private string? _videoKey;
    private string _videoName = "";
    private VideoInfo? _video;

    public IReadOnlyList<FrameSource> Frames => _frames;

    /// <summary>The stored source video, when the upload was one: its frames are cut when the job starts.</summary>
    public string? VideoKey => _videoKey;

    /// <summary>Nothing to make a job of: no image and no video.</summary>
    public bool IsEmpty => _frames.Count == 0 && _videoKey is null;

    /// <summary>
    /// Refuses the job if any frame, at the size its header declared, cannot be made with these options
    /// (the result's pixels against the tenant's and the farm's limits, the format's side limit, the tiles).
    /// </summary>
    public void CheckOutput(JobRequest request, ModelCatalog catalog)
    {
        var model = catalog.Find(request.Model);
        var maxOutput = Math.Min(limits.MaxOutputPixels ?? long.MaxValue, farm.Limits.MaxOutputPixels);
        var problems = AllShapes()
            .Select(f => JobOptionRules.CheckFrame(request.Options, model, f.Shape, farm.Limits, maxOutput) is { } problem ? $"{f.Name}: {problem}" : null)
            .OfType<string>().Distinct().Take(10).ToArray();
        if (problems.Length > 0)
            throw new JobRequestException(new Dictionary<string, string[]> { ["files"] = problems });
    }

    /// <summary>
    /// Reserves, against the tenant's store quota, what the job will write (<see cref="JobRecord.ReservedBytes"/>): each
    /// frame's result (<see cref="ResultReservation"/>; a video's frames as many as its headers announce, 8-bit colour: its cut
    /// raises the reservation if the decoded frames need more), a video result's encoding, and each distinct ICC profile once.
    /// Refused (413) past the quota.
    /// </summary>
    /// <returns>The bytes reserved.</returns>
    public long ReserveResults(JobRequest request, ModelCatalog catalog)
    {
        var model = catalog.Find(request.Model);
        var scale = request.Options.OutScale ?? model.Scale;
        var frames = _shapes.Sum(f => ResultReservation.Frame(f.Shape, scale))
            + (_video is { } video ? video.EstimatedFrames * ResultReservation.Frame(VideoFrameShape(video), scale) : 0);
        var reserved = frames + (request.VideoKey is null ? 0 : ResultReservation.Video(frames)) + _iccProfiles.Values.Sum();
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
    /// Records the job with its frames, or a video job with its video to be cut (the tenant's limits go with it, for the
    /// frames the cut decodes), and hands it to the coordinator.
    /// </summary>
    public Task<JobRecord> CreateJobAsync(JobRecord job, CancellationToken cancellation)
    {
        if (_videoKey is null)
            return client.CreateAsync(job, _frames, cancellation);
        var cut = new VideoCut(jobId, _videoKey, _videoName, MuxResult: job.VideoKey is not null, limits.MaxFrames, MaxPixels,
            Math.Min(limits.MaxUnzippedBytes, limits.MaxScratchBytes), limits.MaxUploadBytes);
        return client.CreateVideoAsync(job, cut, cancellation);
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
        if (_videoKey is not null)
            await client.DeleteObjectsAsync([_videoKey]);
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

    /// <summary>
    /// Checks a video from its headers and stores it as the job's source. Its frames are counted now at the most the headers
    /// say they take decoded: against the tenant's scratch space, which their cut will need (refused, 429, as when the frames
    /// were decoded here), and as stored bytes, which they will be (the store's listing counts them at their size once cut).
    /// </summary>
    private async Task AddVideoAsync(string name, string path, CancellationToken cancellation)
    {
        var video = await VideoHeaders.CheckAsync(path, limits, MaxPixels, farm.Media.ToLimits(), cancellation);
        var decoded = VideoHeaders.DecodedBytes(video);
        quota.HoldScratch(decoded);
        quota.ReleaseScratch(decoded);
        quota.Spend(decoded, "stored bytes with this video's frames");
        var videoKey = FarmKeys.VideoSource(tenant, jobId, Path.GetExtension(name).ToLowerInvariant());
        await using (var source = File.OpenRead(path))
        {
            quota.Spend(source.Length);
            _videoKey = videoKey;
            await client.PutObjectAsync(videoKey, source, cancellation);
        }
        (_video, _videoName) = (video, name);
    }

    /// <summary>Every frame's shape as its header says: the images', and a video's frames' (each the same, named as its first frame will be).</summary>
    private IEnumerable<(string Name, FrameShape Shape)> AllShapes() =>
        _video is { } video ? _shapes.Append(($"{Path.GetFileNameWithoutExtension(_videoName)}-{0:D6}.png", VideoFrameShape(video))) : _shapes;

    /// <summary>A video's frames as ffmpeg cuts them from the usual 8-bit colour video: 8-bit RGB PNGs at the probed size.</summary>
    private static FrameShape VideoFrameShape(VideoInfo video) => new(video.Width, video.Height, IsGray: false, HasAlpha: false, Is16Bit: false);

    private long MaxPixels => Math.Min(limits.MaxPixels, farm.Limits.MaxInputPixels);

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
        var imageLimits = farm.Limits.ToImageLimits() with { MaxInputPixels = MaxPixels };
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
