using UpscaleFarm.Api.Uploads;

namespace UpscaleFarm.Api.Tenants;

/// <summary>One request's share of its tenant's quota: the bytes it stores, spent as they arrive; released when the request ends.</summary>
public sealed class QuotaLease : IDisposable
{
    private readonly TenantQuotas.InFlight _inFlight;
    private readonly long _maxStored;
    private long _spent;
    private int _disposed;

    internal QuotaLease(TenantQuotas.InFlight inFlight, long maxStored) => (_inFlight, _maxStored) = (inFlight, maxStored);

    /// <summary>What was stored when the lease began.</summary>
    internal long Stored { get; set; }

    public void Spend(long bytes)
    {
        _spent += bytes;
        var inFlight = Interlocked.Add(ref _inFlight.Bytes, bytes);
        if (Stored + inFlight > _maxStored)
            throw UploadRejectedException.TooLarge(
                $"this tenant's stored bytes would pass its quota of {_maxStored}; purge jobs (DELETE /v1/jobs/ID?purge=true) or wait for their retention to end");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        Interlocked.Add(ref _inFlight.Bytes, -_spent);
        Interlocked.Decrement(ref _inFlight.Uploads);
    }
}
