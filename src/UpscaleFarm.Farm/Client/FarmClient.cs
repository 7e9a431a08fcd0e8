using System.Text.RegularExpressions;
using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Client;

/// <summary>
/// Submits jobs to the farm and follows them: sources go to the object store, the job to the job store,
/// then JobSubmitted to the coordinator. Progress is read from the job store, which every process shares.
/// </summary>
public sealed partial class FarmClient(IJobStore store, IObjectStore objects, IBus bus, ModelCatalog catalog)
{
    public async Task<Guid> SubmitAsync(IReadOnlyList<string> files, JobRequest request, CancellationToken cancellation = default)
    {
        if (files.Count == 0)
            throw new ArgumentException("a job needs at least one frame", nameof(files));
        if (!TenantPattern().IsMatch(request.Tenant))
            throw new ArgumentException($"tenant '{request.Tenant}' must be 1-64 of a-z, 0-9, '-' and '_'", nameof(request));
        // The manifest names the model; its ONNX file need only be on the workers.
        var model = catalog.Find(request.Model);
        if (!ImageFormats.TryParse(request.Format, out var format))
            throw new ArgumentException($"unknown output format '{request.Format}'", nameof(request));
        if (request.Alpha is not ("model" or "resample"))
            throw new ArgumentException($"alpha must be 'model' or 'resample', not '{request.Alpha}'", nameof(request));

        var jobId = Guid.NewGuid();
        var frames = new List<FrameSource>(files.Count);
        for (var frame = 0; frame < files.Count; frame++)
        {
            var key = FarmKeys.Source(request.Tenant, jobId, frame, Path.GetExtension(files[frame]).ToLowerInvariant());
            await using (var file = File.OpenRead(files[frame]))
                await objects.PutAsync(key, file, cancellation);
            frames.Add(new FrameSource(key, Path.GetFileName(files[frame])));
        }

        await store.CreateJobAsync(new JobRecord
        {
            Id = jobId.ToString("N"), Tenant = request.Tenant, State = JobState.Queued, Model = model.Id, OutScale = request.OutScale,
            Format = ImageFormats.Extension(format).TrimStart('.'), Quality = request.Quality, TileSize = request.TileSize, Halo = request.Halo,
            Alpha = request.Alpha, FramesTotal = files.Count, CreatedMs = Clock.NowMs,
        }, frames, cancellation);
        await bus.Publish(new JobSubmitted(jobId, request.Tenant, files.Count, DateTimeOffset.UtcNow), cancellation);
        return jobId;
    }

    public Task<JobRecord?> GetAsync(Guid jobId, CancellationToken cancellation = default) => store.GetJobAsync(jobId, cancellation);

    public Task<IReadOnlyList<FrameRecord>> GetFramesAsync(Guid jobId, CancellationToken cancellation = default) => store.GetFramesAsync(jobId, cancellation);

    /// <summary>Polls the job until it is completed, failed or cancelled, reporting each change.</summary>
    public async Task<JobRecord> WaitAsync(Guid jobId, IProgress<JobRecord>? progress = null, CancellationToken cancellation = default)
    {
        (int, int, string)? last = null;
        while (true)
        {
            var job = await store.GetJobAsync(jobId, cancellation) ?? throw new InvalidOperationException($"no job {jobId}");
            if (last != (job.TilesDone, job.TilesTotal, job.State))
            {
                last = (job.TilesDone, job.TilesTotal, job.State);
                progress?.Report(job);
            }
            if (JobState.IsFinal(job.State))
                return job;
            await Task.Delay(100, cancellation);
        }
    }

    /// <summary>Cancels an unfinished job: workers drop its remaining tiles. False if it had already finished.</summary>
    public async Task<bool> CancelAsync(Guid jobId, CancellationToken cancellation = default)
    {
        if (!await store.FinishJobAsync(jobId, JobState.Cancelled, "cancelled by its owner", Clock.NowMs, cancellation))
            return false;
        await bus.Publish(new JobCancelled(jobId, DateTimeOffset.UtcNow), cancellation);
        return true;
    }

    /// <summary>Copies a completed job's results to files (written whole, then renamed), in frame order.</summary>
    public async Task<IReadOnlyList<string>> DownloadResultsAsync(Guid jobId, Func<int, string> pathOfFrame, CancellationToken cancellation = default)
    {
        var paths = new List<string>();
        foreach (var frame in await store.GetFramesAsync(jobId, cancellation))
        {
            if (frame.ResultKey is null)
                throw new InvalidOperationException($"frame {frame.Frame} of job {jobId} has no result");
            var path = Path.GetFullPath(pathOfFrame(frame.Frame));
            await objects.DownloadAsync(frame.ResultKey, path, cancellation: cancellation);
            paths.Add(path);
        }
        return paths;
    }

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex TenantPattern();
}
