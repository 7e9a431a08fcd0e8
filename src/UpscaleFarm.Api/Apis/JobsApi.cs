using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Events;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Api.Uploads;
using UpscaleFarm.Api.Webhooks;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Apis;

/// <summary>/v1/jobs: submit, follow, list, cancel and fetch results, each scoped to the caller's tenant.</summary>
public static class JobsApi
{
    private static readonly TimeSpan ResultUrlLifetime = TimeSpan.FromMinutes(15);

    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        var jobs = routes.MapGroup("/v1/jobs").RequireAuthorization().WithTags("Jobs");
        jobs.MapPost("/", SubmitAsync).DisableAntiforgery()
            .WithSummary("Submit one job: images, .zip files of frames or one video as multipart/form-data (files, and optional model, scale, format, quality, tile, halo, alpha, webhook, container), or JSON naming the tenant's uploads")
            // One Accepts for both: each call replaces the last, and routing refuses other content types (415).
            .Accepts<JobSubmission>("multipart/form-data", "application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        jobs.MapGet("/", ListAsync).WithSummary("The caller's jobs, newest first, optionally in one state");
        jobs.MapGet("/{id:guid}", GetAsync).WithSummary("A job's state, progress, ETA and error");
        jobs.MapDelete("/{id:guid}", CancelAsync)
            .WithSummary("Cancel a job: its remaining tiles are dropped; with ?purge=true also delete its sources, tiles and results (an ended job too)");
        jobs.MapGet("/{id:guid}/result", ResultAsync)
            .WithSummary("The result: the image for one frame or the video (with S3 as the store and Api:ResultDelivery redirect, a redirect to a 15-minute presigned URL), a zip of the frames for several")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream");
        jobs.MapGet("/{id:guid}/events", EventsAsync)
            .WithSummary("Progress as server-sent events until the job ends; each event's id lets a client reconnect with Last-Event-ID and be sent only what changed");
        return jobs;
    }

    private static async Task<Results<Created<JobView>, Ok<JobView>, ProblemHttpResult>> SubmitAsync(
        HttpContext http, [AsParameters] JobAccess access, FarmClient client, JobUploads uploads, TenantQuotas quotas,
        CancellationToken cancellation)
    {
        var caller = access.Caller;
        if (caller.Limits is not { } limits)
            return TypedResults.Problem("the admin key cannot submit jobs; use a tenant's key", statusCode: StatusCodes.Status403Forbidden);
        var tenant = caller.Tenant!;
        var idempotencyKey = http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } k ? k : null;
        if (idempotencyKey is { Length: > 200 })
            return TypedResults.Problem("Idempotency-Key is over 200 characters", statusCode: StatusCodes.Status400BadRequest);
        if (idempotencyKey is not null && await access.Queries.FindByIdempotencyKeyAsync(tenant, idempotencyKey, cancellation) is { } earlier)
            return TypedResults.Ok(JobView.Of(earlier, Clock.NowMs));
        // Counts this upload with the tenant's unfinished jobs until the request ends, and its bytes against the store quota.
        using var quota = await quotas.BeginAsync(tenant, limits, cancellation);
        var json = http.Request.HasJsonContentType();
        var bodyCap = json ? access.Api.MaxJsonBytes : limits.MaxUploadBytes;
        if (http.Request.ContentLength > bodyCap)
            throw UploadRejectedException.TooLarge(json ? $"a JSON submission is at most {bodyCap} bytes" : $"the upload is over this tenant's limit of {bodyCap} bytes");
        // Our own budget refuses an oversized upload with a clear message; the server's default cap (30 MB) would cut it first.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = json ? bodyCap : bodyCap + (1 << 20);

        var jobId = Guid.NewGuid();
        var upload = uploads.Start(tenant, jobId, limits, quota);
        try
        {
            var defaults = new JobRequest { Tenant = tenant, IdempotencyKey = idempotencyKey, Weight = limits.Weight };
            var (request, container) = json
                ? (await ReadSubmissionAsync(http.Request, defaults, upload, client, cancellation), null)
                : await MultipartJobReader.ReadAsync(http.Request, defaults, (name, content) => upload.AddFileAsync(name, content, cancellation),
                    (partial, field) => RequireField(partial, field, client), cancellation);
            // A video comes back as a video unless a zip of frames is asked for; its frames stay lossless (PNG) until encoded.
            if (upload.VideoKey is { } videoKey && container != "zip")
                request = request with { VideoKey = videoKey, Options = request.Options with { Format = "png" } };
            // Out of 0-9 altogether is the client's mistake (400, from NewJob); within it but above the tenant's maximum, a refusal.
            if (request.Priority <= JobPriority.Highest && request.Priority > limits.MaxPriority)
                throw UploadRejectedException.Forbidden($"priority {request.Priority} is above this tenant's maximum of {limits.MaxPriority}");
            if (request.WebhookUrl is not null && limits.WebhookSecret.Length == 0)
                throw UploadRejectedException.BadRequest("this tenant has no webhook secret configured, so its webhooks could not be signed");
            if (request.WebhookUrl is { } webhook && !access.Api.WebhookPrivateNetworks && Uri.TryCreate(webhook, UriKind.Absolute, out var webhookUri)
                && await WebhookAddresses.RefusalAsync(webhookUri, cancellation) is { } refusal)
                throw UploadRejectedException.BadRequest(refusal);
            if (upload.IsEmpty)
                throw UploadRejectedException.BadRequest("no files: send the images (or a .zip of them) as multipart/form-data file parts");
            var record = client.NewJob(request, jobId); // every option in range (JobRequestException: 400 naming the fields)
            upload.CheckOutput(request, client.Catalog);
            // What the job will write, reserved against the quota now (413 past it), released when the job ends.
            record = record with { ReservedBytes = upload.ReserveResults(request, client.Catalog) };
            var job = await upload.CreateJobAsync(record, cancellation);
            quota.Complete();
            var view = JobView.Of(job, Clock.NowMs);
            return job.Id == jobId ? TypedResults.Created($"/v1/jobs/{jobId:N}", view) : TypedResults.Ok(view);
        }
        catch
        {
            await upload.DiscardAsync();
            throw;
        }
    }

    /// <summary>A field's own problems, as soon as it is read (checks between fields, halo against tile, wait for the end).</summary>
    private static void RequireField(JobRequest partial, string field, FarmClient client)
    {
        if (JobOptionRules.Check(partial, client.Catalog, client.Limits).TryGetValue(field, out var errors))
            throw new JobRequestException(new Dictionary<string, string[]> { [field] = errors });
    }

    /// <summary>
    /// A JSON submission: its options are checked first, then each named object, which must be one of the
    /// tenant's uploads, is checked and copied as the job's source (so the job runs on exactly what was checked).
    /// </summary>
    private static async Task<JobRequest> ReadSubmissionAsync(HttpRequest http, JobRequest defaults, JobUpload upload, FarmClient client,
        CancellationToken cancellation)
    {
        var submission = await http.ReadFromJsonAsync<JobSubmission>(cancellation);
        if (submission?.Objects is not { Count: > 0 } objects)
            throw JobRequestException.Of("objects", "name at least one upload: {\"objects\": [\"uploads/NAME\"]}");
        var request = defaults with
        {
            Model = submission.Model, WebhookUrl = submission.Webhook, Priority = submission.Priority ?? defaults.Priority,
            Options = defaults.Options with
            {
                OutScale = submission.Scale, Format = submission.Format ?? defaults.Options.Format, Quality = submission.Quality ?? defaults.Options.Quality,
                TileSize = submission.Tile, Halo = submission.Halo, Alpha = submission.Alpha is { } alpha ? JobOptionRules.ParseAlpha(alpha) : defaults.Options.Alpha,
            },
        };
        JobOptionRules.Require(request, client.Catalog, client.Limits);
        foreach (var reference in objects)
        {
            var key = TenantUploads.KeyOfReference(defaults.Tenant, reference)
                ?? throw JobRequestException.Of("objects", "not one of this tenant's uploads (name them uploads/NAME)");
            try
            {
                await upload.AddStoredAsync(key, cancellation);
            }
            catch (ObjectNotFoundException)
            {
                throw UploadRejectedException.Unprocessable($"there is no upload '{reference}'");
            }
        }
        return request;
    }

    private static async Task<Results<Ok<JobPage>, ProblemHttpResult>> ListAsync(
        [AsParameters] JobAccess access, string? state, string? tenant, CancellationToken cancellation,
        int page = 1, int pageSize = 50)
    {
        var caller = access.Caller;
        if (state is not null && !JobState.TryParse(state, out _))
            return TypedResults.Problem($"unknown state '{state}'", statusCode: StatusCodes.Status400BadRequest);
        if (page < 1 || pageSize is < 1 or > 500)
            return TypedResults.Problem("page starts at 1; pageSize is 1 to 500", statusCode: StatusCodes.Status400BadRequest);
        var scope = caller.Tenant ?? tenant;
        if (scope is null)
            return TypedResults.Problem("the admin key lists one tenant at a time: add ?tenant=NAME", statusCode: StatusCodes.Status400BadRequest);
        var (jobs, total) = await access.Queries.ListJobsAsync(scope, state, (page - 1) * pageSize, pageSize, cancellation);
        var now = Clock.NowMs;
        return TypedResults.Ok(new JobPage(jobs.Select(j => JobView.Of(j, now)).ToList(), total, page, pageSize));
    }

    private static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetAsync(
        Guid id, [AsParameters] JobAccess access, CancellationToken cancellation) =>
        await access.FindAsync(id, cancellation) is { } job
            ? TypedResults.Ok(JobView.Of(job, Clock.NowMs, await access.Queries.GetTileSpanAsync(id, cancellation)))
            : JobAccess.NotFound(id);

    private static async Task<Results<Ok<JobView>, ProblemHttpResult>> CancelAsync(
        Guid id, [AsParameters] JobAccess access, FarmClient client, TenantQuotas quotas, CancellationToken cancellation,
        bool purge = false)
    {
        if (await access.FindAsync(id, cancellation) is not { } job)
            return JobAccess.NotFound(id);
        var cancelled = await client.CancelAsync(id, cancellation);
        if (!cancelled && !purge)
            return TypedResults.Problem("the job has already finished", statusCode: StatusCodes.Status409Conflict);
        if (purge)
        {
            await client.PurgeAsync(job.Tenant, id, cancellation: cancellation);
            quotas.Forget(job.Tenant);
        }
        return TypedResults.Ok(JobView.Of((await access.Queries.GetJobAsync(id, cancellation))!, Clock.NowMs));
    }

    private static async Task<IResult> ResultAsync(
        Guid id, [AsParameters] JobAccess access, IObjectStore objects, CancellationToken cancellation)
    {
        if (await access.FindAsync(id, cancellation) is not { } job)
            return JobAccess.NotFound(id);
        if (job.State != JobState.Completed)
            return TypedResults.Problem($"the job is {job.State}; a result exists once it is completed", statusCode: StatusCodes.Status409Conflict);
        var frames = await access.Queries.GetFramesAsync(id, cancellation);
        if (!await objects.ExistsAsync(job.ResultKey ?? frames[0].ResultKey!, cancellation))
            return TypedResults.Problem("the job's results were deleted: purged by its owner, or past this tenant's retention", statusCode: StatusCodes.Status410Gone);
        var proxy = access.Api.ProxiesResults;
        if (job.ResultKey is { } videoKey)
            return await ObjectResultAsync(objects, proxy, videoKey, $"{id:N}{Path.GetExtension(videoKey)}", cancellation);
        var names = ResultNames(frames, job.Options.Format);
        if (frames.Count == 1)
            return await ObjectResultAsync(objects, proxy, frames[0].ResultKey!, names[0], cancellation);
        // Several frames: a zip streamed as it is written (stored, not deflated: the images are compressed already).
        return TypedResults.Stream(async body =>
        {
            var output = new AsyncOnlyStream(body);
            await using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            {
                for (var i = 0; i < frames.Count; i++)
                {
                    await using (var entry = await zip.CreateEntry(names[i], CompressionLevel.NoCompression).OpenAsync(cancellation))
                    await using (var result = await objects.OpenReadAsync(frames[i].ResultKey!, cancellation))
                        await result.CopyToAsync(entry, cancellation);
                    await output.FlushAsync(cancellation);
                }
            }
            await output.FlushAsync(cancellation);
        }, "application/zip", $"{id:N}.zip");
    }

    private static async Task<Results<JobEventStream, NoContent, ProblemHttpResult>> EventsAsync(
        Guid id, HttpContext http, [AsParameters] JobAccess access, JobWatcher watcher, IOptions<FarmOptions> farm,
        ILogger<JobEventStream> logger, [FromHeader(Name = "Last-Event-ID")] string? lastEventId, CancellationToken cancellation)
    {
        if (await access.FindAsync(id, cancellation) is not { } job)
            return JobAccess.NotFound(id);
        // A client that already has the end (an EventSource reconnecting after it): 204 tells an EventSource to stop.
        if (job.State.IsFinal && lastEventId == JobEventStream.EventId(job))
            return TypedResults.NoContent();
        var caller = access.Caller;
        var maxStreams = caller.Limits?.MaxEventStreams ?? TenantOptions.DefaultMaxEventStreams;
        if (watcher.Open(caller.Tenant ?? "(admin)", job, maxStreams) is not { } watch)
            return TypedResults.Problem($"this key already has {maxStreams} event streams open; close one, or poll GET /v1/jobs/{id:N}",
                statusCode: StatusCodes.Status429TooManyRequests);
        http.Response.RegisterForDispose(watch); // released however the request ends, even if the stream never starts
        return new JobEventStream(watch, lastEventId, access.Queries, TimeSpan.FromSeconds(farm.Value.OutageToleranceSeconds), logger);
    }

    /// <summary>
    /// One stored result: from S3 a redirect to a presigned URL (the client downloads straight from the store) unless
    /// <paramref name="proxy"/> (Api:ResultDelivery) says the client cannot reach the store; else streamed through the API.
    /// </summary>
    private static async Task<IResult> ObjectResultAsync(IObjectStore objects, bool proxy, string key, string name, CancellationToken cancellation)
    {
        if (!proxy && await objects.GetDownloadUrlAsync(key, ResultUrlLifetime, name, cancellation) is { } url)
            return TypedResults.Redirect(url.ToString());
        return new StoredObjectResult(await objects.OpenWithLengthAsync(key, cancellation), MediaTypes.OfExtension(Path.GetExtension(name)), name);
    }


    /// <summary>Each frame's result named after its source, made unique with the frame number where names repeat.</summary>
    private static string[] ResultNames(IReadOnlyList<FrameRecord> frames, string format)
    {
        var stems = frames.Select(f => Path.GetFileNameWithoutExtension(f.Name) is { Length: > 0 } stem ? stem : $"frame-{f.Frame:D6}").ToList();
        // Counted once: a frame set has up to MaxFrames (10 000) frames.
        var uses = stems.CountBy(stem => stem).ToDictionary();
        return frames.Select((f, i) => (uses[stems[i]] > 1 ? $"{stems[i]}-{f.Frame:D6}" : stems[i]) + "." + format).ToArray();
    }
}
