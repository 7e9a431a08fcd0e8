using UpscaleFarm.Api.Uploads;

namespace UpscaleFarm.Api.Tenants;

/// <summary>
/// One request's share of its tenant's quota: the bytes it stores, spent as they arrive. When the request
/// ends they leave the uploads in progress; those of a completed upload join the tenant's stored bytes.
/// </summary>
public sealed class QuotaLease : IDisposable
{
    private readonly TenantQuotas.TenantUsage _usage;
    private readonly long _maxStored;
    private long _spent;
    private bool _completed;
    private int _disposed;

    internal QuotaLease(TenantQuotas.TenantUsage usage, long maxStored) => (_usage, _maxStored) = (usage, maxStored);

    public void Spend(long bytes)
    {
        _spent += bytes;
        var inFlight = Interlocked.Add(ref _usage.InFlightBytes, bytes);
        if (Volatile.Read(ref _usage.Stored) + inFlight > _maxStored)
            throw UploadRejectedException.TooLarge(
                $"this tenant's stored bytes would pass its quota of {_maxStored}; purge jobs (DELETE /v1/jobs/ID?purge=true) or wait for their retention to end");
    }

    /// <summary>The upload is stored: its bytes stay counted after the request ends (a refused one's were discarded).</summary>
    public void Complete() => _completed = true;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        Interlocked.Add(ref _usage.InFlightBytes, -_spent);
        if (_completed)
            Interlocked.Add(ref _usage.Stored, _spent);
        Interlocked.Decrement(ref _usage.Uploads);
    }
}
