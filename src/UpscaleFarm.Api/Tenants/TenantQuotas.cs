using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Uploads;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Tenants;

/// <summary>
/// What a tenant holds: the bytes it keeps in the store (its uploads, its jobs' sources and results, and what its
/// unfinished jobs reserved for their results), its uploads in progress in this API process, which count as jobs
/// against MaxConcurrentJobs and whose bytes count against MaxStoredBytes as they arrive, and the scratch space they
/// hold here (MaxScratchBytes). Each request that stores anything takes a <see cref="QuotaLease"/>. The stored bytes
/// come from a listing of the tenant's prefix, which costs one store request per 1000 objects: it is read again at most
/// every Api:StoredBytesRefresh, and in between the bytes of each completed upload are added to it, and a purge or
/// retention sweep forgets it.
/// </summary>
public sealed class TenantQuotas(IObjectStore objects, IJobQueries store, IOptionsMonitor<ApiOptions> api)
{
    private readonly ConcurrentDictionary<string, TenantUsage> _usage = new();

    /// <summary>Starts an upload: refused (429) when the tenant's jobs and uploads in progress are at its limit, (413) when its store is full.</summary>
    /// <param name="countsAsJob">False for a write that is not a submission (a Deep Zoom pyramid): not counted against MaxConcurrentJobs.</param>
    public async Task<QuotaLease> BeginAsync(string tenant, TenantOptions limits, CancellationToken cancellation, bool countsAsJob = true)
    {
        var usage = _usage.GetOrAdd(tenant, _ => new TenantUsage());
        if (countsAsJob)
        {
            var unfinished = await store.CountUnfinishedJobsAsync(tenant, cancellation);
            if (Interlocked.Increment(ref usage.Uploads) + unfinished > limits.MaxConcurrentJobs)
            {
                Interlocked.Decrement(ref usage.Uploads);
                throw new UploadRejectedException(StatusCodes.Status429TooManyRequests, "Too many jobs",
                    $"this tenant already has {limits.MaxConcurrentJobs} unfinished jobs and uploads in progress");
            }
        }
        var lease = new QuotaLease(usage, limits, countsAsJob);
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

    /// <summary>
    /// The tenant's bytes now: its objects, from a listing, with each unfinished job's reservation
    /// (<see cref="JobRecord.ReservedBytes"/>) in place of what that job writes until it ends (results, ICC profiles, and
    /// tiles, which are the farm's scratch and go when their frame is assembled); its sources count as stored.
    /// </summary>
    public async Task<long> StoredBytesAsync(string tenant, CancellationToken cancellation)
    {
        var reserved = await store.GetReservationsAsync(tenant, cancellation);
        var total = reserved.Values.Sum();
        var prefix = $"tenants/{tenant}/";
        await foreach (var stored in objects.ListObjectsAsync(prefix, cancellation))
        {
            if (stored.Key[prefix.Length..].Split('/', 4) is ["jobs", var id, var kind, _] && kind is not ("source" or "video")
                && Guid.TryParseExact(id, "N", out var jobId) && reserved.ContainsKey(jobId))
                continue;
            total += stored.Size;
        }
        return total;
    }

    /// <summary>The scratch bytes the tenant's requests hold in this process.</summary>
    public long ScratchBytes(string tenant) => _usage.TryGetValue(tenant, out var usage) ? Volatile.Read(ref usage.ScratchBytes) : 0;

    internal sealed class TenantUsage
    {
        public int Uploads;
        public long InFlightBytes;
        public long Stored;
        public long ListedMs;
        public long ScratchBytes;
    }
}
