using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Cli.ApiClient;

/// <summary>
/// How <see cref="JobApiClient"/> rides through the API being unavailable (the API restarting, a proxy in
/// front of it answering 502–504, its job store or object store down): a request that meets it is retried
/// on the farm's own backoff (<see cref="TransientFailures.RetryIntervals"/>) for up to the tolerance, and
/// the outage is reported once, when it begins. Past the tolerance the last failure is the caller's.
/// </summary>
/// <param name="report">Told the reason, once per outage (the first failed try of a request).</param>
public sealed class ApiOutages(TimeSpan tolerance, Action<string> report)
{
    /// <summary>No retries: every failure is the caller's at once.</summary>
    public static readonly ApiOutages None = new(TimeSpan.Zero, _ => { });

    public Task<T> RideThroughAsync<T>(Func<CancellationToken, Task<T>> request, CancellationToken cancellation)
    {
        var reported = false;
        return TransientFailures.RideThroughAsync(request, tolerance, cancellation, (e, _) =>
        {
            if (!reported)
                report(Reason(e));
            reported = true;
            return Task.CompletedTask;
        }, IsUnavailable);
    }

    /// <summary>
    /// An outage rather than a refusal: an answer of 502–504, no connection, a connection or response cut
    /// (the API killed mid-request), no answer in time. A local file's I/O error is not one.
    /// </summary>
    public static bool IsUnavailable(Exception e) =>
        e is ApiUnavailableException or HttpIOException || TransientFailures.IsTransient(e);

    /// <summary>Why, in a few words: the API's own detail, or what the connection did (never a stack trace).</summary>
    public static string Reason(Exception e) => e switch
    {
        ApiUnavailableException unavailable => unavailable.Message,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "could not connect",
        HttpRequestException or HttpIOException => "the connection was cut",
        _ => "no answer",
    };
}
