using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Client;

/// <summary>
/// Submits jobs to the farm and follows them: sources go to the object store, the job to the job store with the
/// JobSubmitted that hands it to the coordinator (committed together, <see cref="JobLifecycle"/>). Progress is read from
/// the job store, which every process shares.
/// </summary>
public sealed class FarmClient(IJobQueries store, JobLifecycle lifecycle, IObjectStore objects, ModelCatalog catalog, IOptions<FarmOptions> options)
{
    /// <summary>Submits local files as one job (several files make a frame set).</summary>
    public async Task<Guid> SubmitAsync(IReadOnlyList<string> files, JobRequest request, CancellationToken cancellation = default)
    {
        if (files.Count == 0)
            throw new ArgumentException("a job needs at least one frame", nameof(files));
        var job = NewJob(request);
        var frames = new List<FrameSource>(files.Count);
        for (var frame = 0; frame < files.Count; frame++)
        {
            // Uploads ride through an object store outage like every other step: a put is idempotent.
            var (path, index) = (files[frame], frame);
            frames.Add(await RideThroughAsync(async () =>
            {
                await using var file = File.OpenRead(path);
                return await UploadFrameAsync(job.Tenant, job.Id, index, Path.GetFileName(path), file, cancellation);
            }, cancellation));
        }
        return (await CreateAsync(job, frames, cancellation)).Id;
    }

    /// <summary>The farm's limits, for checks made before a job is created (<see cref="JobOptionRules.CheckFrame"/>).</summary>
    public LimitOptions Limits => options.Value.Limits;

    public ModelCatalog Catalog => catalog;

    /// <summary>Checks a request and makes its job's record, before any frame is uploaded.</summary>
    /// <param name="id">The job's id, when its frames were uploaded before the request was complete.</param>
    public JobRecord NewJob(JobRequest request, Guid? id = null)
    {
        // Every option in range before anything is stored (JobRequestException names each bad field).
        JobOptionRules.Require(request, catalog, options.Value.Limits);
        var model = catalog.Find(request.Model);
        ImageFormats.TryParse(request.Options.Format, out var format);
        return new JobRecord
        {
            Id = id ?? Guid.NewGuid(), Tenant = request.Tenant, State = JobState.Queued, Model = model.Id,
            Options = request.Options with { Format = ImageFormats.Extension(format).TrimStart('.') },
            IdempotencyKey = request.IdempotencyKey, WebhookUrl = request.WebhookUrl, VideoKey = request.VideoKey,
            Priority = request.Priority, Weight = Math.Clamp(request.Weight, 1, 100),
        };
    }

    /// <summary>
    /// Stores one frame's source under the job's keys. The name is only what messages call it: the key takes the image
    /// format's own extension when the name has one (libvips reads the format from the bytes), so no name can make an invalid key.
    /// </summary>
    public async Task<FrameSource> UploadFrameAsync(string tenant, Guid jobId, int frame, string name, Stream content, CancellationToken cancellation = default)
    {
        var extension = ImageFormats.TryParse(Path.GetExtension(name), out var format) ? ImageFormats.Extension(format) : "";
        var key = FarmKeys.Source(tenant, jobId, frame, extension);
        await objects.PutAsync(key, content, cancellation);
        return new FrameSource(key, name);
    }

    /// <summary>
    /// Records the job and hands it to the coordinator. With an idempotency key already used by the
    /// tenant, returns that earlier job instead and drops this one's uploads.
    /// </summary>
    public Task<JobRecord> CreateAsync(JobRecord job, IReadOnlyList<FrameSource> frames, CancellationToken cancellation = default)
    {
        if (frames.Count == 0)
            throw new ArgumentException("a job needs at least one frame", nameof(frames));
        return CreateAsync(job with { FramesTotal = frames.Count }, created => lifecycle.CreateAsync(created, frames, cancellation),
            () => DeleteUploadsAsync(frames), cancellation);
    }

    /// <summary>
    /// Records a video job and hands it to the coordinator, which cuts the stored video into the job's frames
    /// (<see cref="VideoCut"/>): until then the job has none. With an idempotency key already used by the tenant, returns
    /// that earlier job instead and drops this one's video.
    /// </summary>
    public Task<JobRecord> CreateVideoAsync(JobRecord job, VideoCut cut, CancellationToken cancellation = default) =>
        CreateAsync(job with { FramesTotal = 0 }, created => lifecycle.CreateVideoAsync(created, cut, cancellation), () => DeleteObjectsAsync([cut.VideoKey]),
            cancellation);

    /// <param name="create">Writes the job's rows with its JobSubmitted (<see cref="JobLifecycle"/>).</param>
    /// <param name="discard">Removes what was stored for a job that turns out to be a duplicate.</param>
    private async Task<JobRecord> CreateAsync(JobRecord job, Func<JobRecord, Task> create, Func<Task> discard, CancellationToken cancellation)
    {
        // The request's job as NewJob made it, with what is known only now (a field-by-field copy here once lost the priority).
        var created = job with { CreatedMs = Clock.NowMs, TraceParent = System.Diagnostics.Activity.Current?.Id };
        try
        {
            // With its JobSubmitted (a relay sends it, later if this process dies now or the broker is down),
            // riding through a job-store outage.
            await RideThroughAsync(() => CreateOnceAsync(created, create, cancellation), cancellation);
        }
        catch (System.Data.Common.DbException) when (job.IdempotencyKey is not null)
        {
            // Another submission with the same key won the unique index.
            var earlier = await store.FindByIdempotencyKeyAsync(job.Tenant, job.IdempotencyKey, cancellation);
            if (earlier is null)
                throw;
            await discard();
            return earlier;
        }
        return created;
    }

    /// <summary>
    /// Creates the job's rows, once even when retried: an attempt whose commit reached the job store but whose
    /// answer was lost (the connection dropped) makes the next attempt meet its own row.
    /// </summary>
    private async Task<bool> CreateOnceAsync(JobRecord job, Func<JobRecord, Task> create, CancellationToken cancellation)
    {
        try
        {
            await create(job);
        }
        catch (System.Data.Common.DbException e) when (!TransientFailures.IsTransient(e))
        {
            // Ours, from the attempt whose answer was lost? Anything else (an idempotency key's duplicate) is the caller's.
            if (await store.GetJobAsync(job.Id, cancellation) is not { } existing || existing.CreatedMs != job.CreatedMs)
                throw;
        }
        return true;
    }

    /// <summary>Removes the sources of a job that was never created (a refused or duplicate submission).</summary>
    public Task DeleteUploadsAsync(IEnumerable<FrameSource> frames) => DeleteObjectsAsync(frames.Select(f => f.Key));

    public async Task DeleteObjectsAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys)
            await objects.DeleteAsync(key, CancellationToken.None);
    }

    /// <summary>Opens a stored object (an upload in a tenant's area that a job names); throws <see cref="ObjectNotFoundException"/> if absent.</summary>
    public Task<Stream> OpenObjectAsync(string key, CancellationToken cancellation = default) => objects.OpenReadAsync(key, cancellation);

    /// <summary>Stores a job's side object (a video job's source video) before the job is created.</summary>
    public Task PutObjectAsync(string key, Stream content, CancellationToken cancellation = default) => objects.PutAsync(key, content, cancellation);

    public Task<JobRecord?> GetAsync(Guid jobId, CancellationToken cancellation = default) => store.GetJobAsync(jobId, cancellation);

    public Task<IReadOnlyList<FrameRecord>> GetFramesAsync(Guid jobId, CancellationToken cancellation = default) => store.GetFramesAsync(jobId, cancellation);

    /// <summary>Polls the job until it is completed, failed or cancelled, reporting each change.</summary>
    public async Task<JobRecord> WaitAsync(Guid jobId, IProgress<JobRecord>? progress = null, CancellationToken cancellation = default)
    {
        (int, int, JobState)? last = null;
        while (true)
        {
            var job = await RideThroughAsync(() => store.GetJobAsync(jobId, cancellation), cancellation) ?? throw new InvalidOperationException($"no job {jobId}");
            if (last != (job.TilesDone, job.TilesTotal, job.State))
            {
                last = (job.TilesDone, job.TilesTotal, job.State);
                progress?.Report(job);
            }
            if (job.State.IsFinal)
                return job;
            await Task.Delay(100, cancellation);
        }
    }

    /// <summary>
    /// A read that waits out a dependency's restart (the job store failing over, the object store down) for
    /// up to Farm:OutageToleranceSeconds, with the same waits as the farm's own steps, so a client following a
    /// job stays attached through it.
    /// </summary>
    private Task<T> RideThroughAsync<T>(Func<Task<T>> read, CancellationToken cancellation) =>
        TransientFailures.RideThroughAsync(_ => read(), TimeSpan.FromSeconds(options.Value.OutageToleranceSeconds), cancellation);

    /// <summary>Cancels an unfinished job: workers drop its remaining tiles. False if it had already finished.</summary>
    public Task<bool> CancelAsync(Guid jobId, CancellationToken cancellation = default) => lifecycle.CancelAsync(jobId, cancellation);

    /// <summary>
    /// Deletes every object of a job (sources, tiles, results, Deep Zoom pyramids), or only its tiles: the
    /// job's row stays, so its history and state remain, and its results answer "gone". Deleting twice is harmless.
    /// </summary>
    /// <returns>The objects deleted.</returns>
    public async Task<int> PurgeAsync(string tenant, Guid jobId, bool tilesOnly = false, CancellationToken cancellation = default)
    {
        var deleted = 0;
        await foreach (var key in objects.ListAsync(FarmKeys.Job(tenant, jobId) + (tilesOnly ? "/tiles/" : "/"), cancellation))
        {
            await objects.DeleteAsync(key, cancellation);
            deleted++;
        }
        return deleted;
    }

    /// <summary>Copies a completed job's results to files (written whole, then renamed), in frame order.</summary>
    public async Task<IReadOnlyList<string>> DownloadResultsAsync(Guid jobId, Func<int, string> pathOfFrame, CancellationToken cancellation = default)
    {
        var paths = new List<string>();
        foreach (var frame in await RideThroughAsync(() => store.GetFramesAsync(jobId, cancellation), cancellation))
        {
            if (frame.ResultKey is null)
                throw new InvalidOperationException($"frame {frame.Frame} of job {jobId} has no result");
            var path = Path.GetFullPath(pathOfFrame(frame.Frame));
            await RideThroughAsync(async () => { await objects.DownloadAsync(frame.ResultKey, path, cancellation: cancellation); return path; }, cancellation);
            paths.Add(path);
        }
        return paths;
    }
}
