using UpscaleFarm.Api.Uploads;

namespace UpscaleFarm.Api.Tenants;

/// <summary>
/// One request's share of its tenant's quotas: the bytes it stores (or reserves for what its job will store), spent as
/// they arrive, and the scratch space it holds in this API process while it checks files (a copy of an upload, an
/// inflated zip entry; a video's frames, which the coordinator decodes, only checked against it). When the request ends its scratch is released and its stored bytes
/// leave the uploads in progress; those of a completed request join the tenant's stored bytes.
/// </summary>
public sealed class QuotaLease : IDisposable
{
    private readonly TenantQuotas.TenantUsage _usage;
    private readonly TenantOptions _limits;
    private readonly bool _countsAsJob;
    private long _spent, _scratch;
    private bool _completed;
    private int _disposed;

    internal QuotaLease(TenantQuotas.TenantUsage usage, TenantOptions limits, bool countsAsJob) => (_usage, _limits, _countsAsJob) = (usage, limits, countsAsJob);

    /// <param name="what">What the bytes are, for the refusal: "stored bytes" by default.</param>
    public void Spend(long bytes, string what = "stored bytes")
    {
        _spent += bytes;
        var inFlight = Interlocked.Add(ref _usage.InFlightBytes, bytes);
        if (Volatile.Read(ref _usage.Stored) + inFlight > _limits.MaxStoredBytes)
            throw UploadRejectedException.TooLarge(
                $"this tenant's {what} would pass its quota of {_limits.MaxStoredBytes}; purge jobs (DELETE /v1/jobs/ID?purge=true) or wait for their retention to end");
    }

    /// <summary>
    /// Counts scratch bytes this request holds (before or as they are written): past the tenant's MaxScratchBytes the
    /// request is refused (429; the tenant's other submissions in progress hold the rest). They stay counted until
    /// <see cref="ReleaseScratch"/> or the end of the request.
    /// </summary>
    public void HoldScratch(long bytes)
    {
        _scratch += bytes;
        if (Interlocked.Add(ref _usage.ScratchBytes, bytes) > _limits.MaxScratchBytes)
            throw new UploadRejectedException(StatusCodes.Status429TooManyRequests, "Too much in progress",
                $"this tenant's submissions in progress would hold more than {_limits.MaxScratchBytes} bytes of scratch space; retry when they are done");
    }

    /// <summary>Scratch bytes this request no longer holds (a checked file was deleted).</summary>
    public void ReleaseScratch(long bytes)
    {
        bytes = Math.Clamp(bytes, 0, _scratch);
        _scratch -= bytes;
        Interlocked.Add(ref _usage.ScratchBytes, -bytes);
    }

    /// <summary>The upload is stored: its bytes stay counted after the request ends (a refused one's were discarded).</summary>
    public void Complete() => _completed = true;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        ReleaseScratch(_scratch);
        Interlocked.Add(ref _usage.InFlightBytes, -_spent);
        if (_completed)
            Interlocked.Add(ref _usage.Stored, _spent);
        if (_countsAsJob)
            Interlocked.Decrement(ref _usage.Uploads);
    }
}
