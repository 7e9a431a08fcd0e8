using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Apis;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Api.Events;

/// <summary>
/// A job's progress as server-sent events: "progress" whenever the job changes, then "end" once it has
/// ended. Each event's id names the state it carries (<see cref="EventId"/>), so a client that reconnects
/// with Last-Event-ID is sent only what changed since. The job is followed through the <see cref="JobWatcher"/>,
/// which reads every followed job in one query per poll and wakes the stream when its job changes. The stream outlives
/// a restart of the job store: the watcher waits the outage out as the farm's steps do (up to
/// Farm:OutageToleranceSeconds), and the stream says so in comments, which clients ignore; a comment every
/// <see cref="KeepAliveInterval"/> also keeps proxies from closing a stream that is quiet because its job is. Written
/// here rather than by TypedResults.ServerSentEvents, which cannot write comments.
/// </summary>
public sealed class JobEventStream(JobWatch watch, string? lastEventId, IJobQueries store, TimeSpan outageTolerance, ILogger logger)
    : IResult, IEndpointMetadataProvider
{
    public const string ContentType = "text/event-stream";
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>The id of the event that shows the job as it is now: the same id, nothing new to send.</summary>
    public static string EventId(JobRecord job) => $"{job.State}.{job.FramesDone}.{job.TilesDone}.{job.TilesTotal}";

    public async Task ExecuteAsync(HttpContext http)
    {
        using var held = watch;
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
        JobSnapshot? told = null;

        async Task WriteAsync(string text)
        {
            await response.WriteAsync(text, cancellation);
            await response.Body.FlushAsync(cancellation);
            lastWrite = Stopwatch.GetTimestamp();
        }

        try
        {
            while (true)
            {
                var snapshot = watch.Current;
                if (snapshot.Outage is { } outage)
                {
                    // Each wait of an outage is said in a comment, so the stream is never silent for longer than the longest wait (10 s).
                    if (told != snapshot)
                        await WriteAsync($": {outage}\n\n");
                    told = snapshot;
                    if (snapshot.OutageTooLong)
                    {
                        // Past the tolerance: the headers went long ago, so no 503; the comment says why the stream ends without "end".
                        logger.LogWarning("Event stream of job {JobId} ended: the job store stayed unavailable past the outage tolerance", snapshot.Job?.Id);
                        return;
                    }
                }
                else if (snapshot.Job is not { } job)
                {
                    return; // purged from under the stream
                }
                else
                {
                    var eventId = EventId(job);
                    var ended = job.State.IsFinal;
                    if (eventId != sent)
                    {
                        var span = await TransientFailures.RideThroughAsync(c => store.GetTileSpanAsync(job.Id, c), outageTolerance, cancellation,
                            (e, wait) => WriteAsync($": {PublicErrors.DependencyOf(e) ?? "a service the farm depends on"} is unavailable; retrying in {wait.TotalSeconds:0} s\n\n"));
                        var data = JsonSerializer.Serialize(JobView.Of(job, Clock.NowMs, span), json);
                        await WriteAsync($"id: {eventId}\nevent: {(ended ? "end" : "progress")}\ndata: {data}\n\n");
                        sent = eventId;
                    }
                    if (ended)
                        return;
                }
                var quiet = KeepAliveInterval - Stopwatch.GetElapsedTime(lastWrite);
                if (quiet <= TimeSpan.Zero || await Task.WhenAny(snapshot.Next, Task.Delay(quiet, cancellation)) != snapshot.Next)
                {
                    cancellation.ThrowIfCancellationRequested();
                    await WriteAsync(": keep-alive\n\n");
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (TransientFailures.IsTransient(e))
        {
            logger.LogWarning(e, "Event stream of job {JobId} ended: a dependency stayed unavailable past the outage tolerance", watch.Current.Job?.Id);
            await WriteAsync($": {PublicErrors.DependencyOf(e) ?? "a service the farm depends on"} is still unavailable; reconnect later\n\n");
        }
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(JobView), [ContentType]));
}
