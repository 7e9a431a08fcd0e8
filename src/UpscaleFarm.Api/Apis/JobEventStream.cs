using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Api.Apis;

/// <summary>
/// A job's progress as server-sent events: "progress" whenever the job changes, then "end" once it has
/// ended. Each event's id names the state it carries (<see cref="EventId"/>), so a client that reconnects
/// with Last-Event-ID is sent only what changed since. The stream outlives a restart of the job store: its
/// reads wait the outage out as the farm's steps do (up to Farm:OutageToleranceSeconds), saying so in
/// comments, which clients ignore; a comment every <see cref="KeepAliveInterval"/> also keeps proxies from
/// closing a stream that is quiet because its job is. Written here rather than by TypedResults.ServerSentEvents,
/// which cannot write comments.
/// </summary>
public sealed class JobEventStream(Guid id, string? lastEventId, IJobStore store, IOptionsMonitor<ApiOptions> api, TimeSpan outageTolerance,
    ILogger logger) : IResult, IEndpointMetadataProvider
{
    public const string ContentType = "text/event-stream";
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>The id of the event that shows the job as it is now: the same id, nothing new to send.</summary>
    public static string EventId(JobRecord job) => $"{job.State}.{job.FramesDone}.{job.TilesDone}.{job.TilesTotal}";

    public async Task ExecuteAsync(HttpContext http)
    {
        var response = http.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        // nginx and others buffer responses unless told not to; events must arrive as they are written.
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var cancellation = http.RequestAborted;
        var sent = lastEventId;
        var lastWrite = Stopwatch.GetTimestamp();

        async Task WriteAsync(string text)
        {
            await response.WriteAsync(text, cancellation);
            await response.Body.FlushAsync(cancellation);
            lastWrite = Stopwatch.GetTimestamp();
        }

        // Each wait of an outage is said in a comment, so the stream is never silent for longer than the longest wait (10 s).
        Task Waiting(Exception e, TimeSpan wait) =>
            WriteAsync($": {PublicErrors.DependencyOf(e) ?? "a service the farm depends on"} is unavailable; retrying in {wait.TotalSeconds:0} s\n\n");

        try
        {
            while (true)
            {
                var job = await TransientFailures.RideThroughAsync(c => TenantJobs.FindAsync(id, http, store, api, c), outageTolerance, cancellation, Waiting);
                if (job is null)
                    return; // purged from under the stream, or never the caller's
                var eventId = EventId(job);
                var ended = JobState.IsFinal(job.State);
                if (eventId != sent)
                {
                    var span = await TransientFailures.RideThroughAsync(c => store.GetTileSpanAsync(id, c), outageTolerance, cancellation, Waiting);
                    var data = JsonSerializer.Serialize(JobView.Of(job, Clock.NowMs, span), json);
                    await WriteAsync($"id: {eventId}\nevent: {(ended ? "end" : "progress")}\ndata: {data}\n\n");
                    sent = eventId;
                }
                if (ended)
                    return;
                if (Stopwatch.GetElapsedTime(lastWrite) >= KeepAliveInterval)
                    await WriteAsync(": keep-alive\n\n");
                await Task.Delay(PollInterval, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (TransientFailures.IsTransient(e))
        {
            // Past the tolerance: the headers went long ago, so no 503; the comment says why the stream ends without "end".
            logger.LogWarning(e, "Event stream of job {JobId} ended: a dependency stayed unavailable past the outage tolerance", id);
            await WriteAsync($": {PublicErrors.DependencyOf(e) ?? "a service the farm depends on"} is still unavailable; reconnect later\n\n");
        }
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(JobView), [ContentType]));
}
