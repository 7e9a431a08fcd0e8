using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using UpscaleFarm.Farm.Client;

namespace UpscaleFarm.Farm.Health;

/// <summary>
/// Readiness of one dependency: a cheap request under a short timeout, so readiness never hangs on a
/// dependency that does not answer (Kubernetes gives a probe 5 s). The result is shared for
/// <see cref="CacheFor"/>, and concurrent callers share one request: the endpoints need no key, so
/// however often they are called, a dependency sees at most one probe per check at a time.
/// </summary>
public abstract class DependencyHealthCheck : IHealthCheck
{
    /// <summary>Under the probes' 5 s, with room for the other checks, which run at the same time.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _probe;
    private long _startedAt;

    /// <summary>The dependency's public name, e.g. <see cref="PublicErrors.JobStore"/>.</summary>
    protected abstract string Dependency { get; }

    /// <summary>One cheap request that succeeds only if the dependency answers as the farm needs it to.</summary>
    protected abstract Task ProbeAsync(CancellationToken cancellation);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        Task<HealthCheckResult> probe;
        lock (_gate)
        {
            if (_probe is null || (_probe.IsCompleted && Stopwatch.GetElapsedTime(_startedAt) >= CacheFor))
            {
                _startedAt = Stopwatch.GetTimestamp();
                // Not under the caller's token: a caller that gives up must not cancel the probe others wait on.
                _probe = Task.Run(RunAsync, CancellationToken.None);
            }
            probe = _probe;
        }
        return probe.WaitAsync(cancellationToken);
    }

    private async Task<HealthCheckResult> RunAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await ProbeAsync(timeout.Token).WaitAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{Dependency} did not answer within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e)
        {
            // The exception goes to the health check's log entry; the description is what may be shown.
            return HealthCheckResult.Unhealthy($"{Dependency} is unavailable", e);
        }
    }
}
