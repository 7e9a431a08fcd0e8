using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Uploads;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Tenants;

/// <summary>
/// What a tenant holds: the bytes it keeps in the store (its uploads, its jobs' sources and results) and
/// its uploads in progress in this API process, which count as jobs against MaxConcurrentJobs and whose
/// bytes count against MaxStoredBytes as they arrive. Each request that stores anything takes a
/// <see cref="QuotaLease"/>. The stored bytes come from a listing of the tenant's prefix, which costs one
/// store request per 1000 objects: it is read again at most every Api:StoredBytesRefresh, and in between
/// the bytes of each completed upload are added to it, and a purge or retention sweep forgets it.
/// </summary>
public sealed class TenantQuotas(IObjectStore objects, IJobStore store, IOptionsMonitor<ApiOptions> api)
{
    private readonly ConcurrentDictionary<string, TenantUsage> _usage = new();

    /// <summary>Starts an upload: refused (429) when the tenant's jobs and uploads in progress are at its limit, (413) when its store is full.</summary>
    public async Task<QuotaLease> BeginAsync(string tenant, TenantOptions limits, CancellationToken cancellation)
    {
        var usage = _usage.GetOrAdd(tenant, _ => new TenantUsage());
        var unfinished = await store.CountUnfinishedJobsAsync(tenant, cancellation);
        if (Interlocked.Increment(ref usage.Uploads) + unfinished > limits.MaxConcurrentJobs)
        {
            Interlocked.Decrement(ref usage.Uploads);
            throw new UploadRejectedException(StatusCodes.Status429TooManyRequests, "Too many jobs",
                $"this tenant already has {limits.MaxConcurrentJobs} unfinished jobs and uploads in progress");
        }
        var lease = new QuotaLease(usage, limits.MaxStoredBytes);
        try
        {
            if (Clock.NowMs - Volatile.Read(ref usage.ListedMs) > api.CurrentValue.StoredBytesRefresh.TotalMilliseconds)
            {
                Interlocked.Exchange(ref usage.Stored, await StoredBytesAsync(tenant, cancellation));
                Volatile.Write(ref usage.ListedMs, Clock.NowMs);
            }
            lease.Spend(0);
            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>Drops what is known of the tenant's stored bytes (its objects were deleted): the next upload lists them again.</summary>
    public void Forget(string tenant)
    {
        if (_usage.TryGetValue(tenant, out var usage))
            Volatile.Write(ref usage.ListedMs, 0);
    }

    /// <summary>The tenant's uploads in progress in this process.</summary>
    public int UploadsInProgress(string tenant) => _usage.TryGetValue(tenant, out var usage) ? Volatile.Read(ref usage.Uploads) : 0;

    /// <summary>Bytes under the tenant's prefix now, from a listing.</summary>
    public async Task<long> StoredBytesAsync(string tenant, CancellationToken cancellation)
    {
        long total = 0;
        await foreach (var stored in objects.ListObjectsAsync($"tenants/{tenant}/", cancellation))
            total += stored.Size;
        return total;
    }

    internal sealed class TenantUsage
    {
        public int Uploads;
        public long InFlightBytes;
        public long Stored;
        public long ListedMs;
    }
}
