using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace UpscaleFarm.Farm.Messaging;

/// <summary>
/// Which failures are a dependency being unavailable (the object store, the job store, the network), as
/// opposed to something about the message itself. A transient failure is retried for as long as
/// Farm:OutageToleranceSeconds and never counts against a tile's attempts; anything else is the tile's
/// (or the step's) own failure.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        // HttpIOException: a response cut off mid-body (the object store stopped while answering).
        HttpRequestException or HttpIOException or SocketException or TimeoutException => true,
        // S3: throttling (503 SlowDown), server errors and requests that never got an answer.
        AmazonServiceException s3 => (int)s3.StatusCode >= 500 || s3.StatusCode == HttpStatusCode.TooManyRequests
            || s3.ErrorCode is "SlowDown" or "ServiceUnavailable" or "RequestTimeout" or "InternalError" || Inner(s3),
        AmazonClientException client => Inner(client),
        // PostgreSQL restarting or failing over, SQLite busy: Npgsql and ADO.NET say which errors are worth retrying.
        DbException db => db.IsTransient || Inner(db),
        // An HttpClient timeout is a TaskCanceledException around a TimeoutException; a shutdown's cancellation is not transient.
        TaskCanceledException cancelled => cancelled.InnerException is TimeoutException,
        // RabbitMQ: no node answers, or the connection dropped or was closed by a broker shutting down
        // (CONNECTION_FORCED); not a refusal (access, a missing vhost), which waiting cannot fix.
        BrokerUnreachableException => true,
        IOException io => io.InnerException is SocketException || io.HResult is DiskFull or QuotaExceeded,
        OperationInterruptedException interrupted => interrupted.ShutdownReason is not { } reason
            || reason.Initiator != ShutdownInitiator.Peer || reason.ReplyCode is ConnectionForced or InternalError,
        // The broker unreachable (RabbitMqConnectionException and the other transports' connection failures).
        MassTransit.ConnectionException => true,
        _ => false,
    };

    // A full disk (ENOSPC) or quota (EDQUOT) is the node's scratch space, not the tile: the scratch sweeper or
    // an operator frees it, and the step waits as for any other unavailable dependency. .NET puts errno in HResult.
    private const int DiskFull = 28, QuotaExceeded = 122;
    private const ushort ConnectionForced = 320, InternalError = 541;

    private static bool Inner(Exception exception) => exception.InnerException is { } inner && IsTransient(inner);

    /// <summary>
    /// Waits between retries of a transient failure: 1, 2, 4, 8 s, then every 10 s (so work resumes within 10 s
    /// of the dependency's return), until they add up to
    /// <paramref name="tolerance"/>; then the step fails and its job with it, naming the dependency.
    /// </summary>
    public static TimeSpan[] RetryIntervals(TimeSpan tolerance)
    {
        var intervals = new List<TimeSpan>();
        var total = TimeSpan.Zero;
        for (var failures = 0; total < tolerance; failures++)
        {
            intervals.Add(Backoff(failures));
            total += intervals[^1];
        }
        return [.. intervals];
    }

    /// <summary>The wait after <paramref name="failures"/> failures in a row (0: the first): 1, 2, 4, 8 s, then 10 s.</summary>
    public static TimeSpan Backoff(int failures) => TimeSpan.FromSeconds(Math.Min(10, 1 << Math.Min(failures, 4)));

    /// <summary>
    /// Runs <paramref name="action"/>, waiting out a transient failure on <see cref="RetryIntervals"/> of
    /// <paramref name="tolerance"/>: what a client following a job does while a dependency restarts. Past the
    /// tolerance, the last try's failure is the caller's.
    /// </summary>
    /// <param name="waiting">Told of each failure and the wait that follows it, before the wait (to say so).</param>
    /// <param name="isTransient">Which failures to wait out; <see cref="IsTransient"/> unless given.</param>
    public static async Task<T> RideThroughAsync<T>(Func<CancellationToken, Task<T>> action, TimeSpan tolerance, CancellationToken cancellation,
        Func<Exception, TimeSpan, Task>? waiting = null, Func<Exception, bool>? isTransient = null)
    {
        isTransient ??= IsTransient;
        foreach (var wait in RetryIntervals(tolerance))
        {
            try
            {
                return await action(cancellation);
            }
            catch (Exception e) when (isTransient(e) && !cancellation.IsCancellationRequested)
            {
                if (waiting is not null)
                    await waiting(e, wait);
                await Task.Delay(wait, cancellation);
            }
        }
        return await action(cancellation);
    }

    /// <summary>
    /// A process's start-up step against <paramref name="dependency"/> (creating tables, declaring queues): a process
    /// started while it is down waits for it within <paramref name="tolerance"/>, logging each wait, instead of exiting.
    /// </summary>
    public static Task WaitAtStartAsync(string dependency, Func<CancellationToken, Task> step, TimeSpan tolerance,
        ILogger logger, CancellationToken cancellation) =>
        RideThroughAsync(async c => { await step(c); return true; }, tolerance, cancellation, (e, wait) =>
        {
            logger.LogWarning("{Dependency} is unavailable ({Reason}); trying again in {Seconds} s", dependency, e.Message, wait.TotalSeconds);
            return Task.CompletedTask;
        });
}
