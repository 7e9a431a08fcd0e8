using System.Collections.Concurrent;
using UpscaleFarm.Api.Uploads;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Tenants;

/// <summary>
/// What a tenant holds: the bytes it keeps in the store (its uploads, its jobs' sources and results, read
/// from a listing of its prefix) and its uploads in progress in this API process, which count as jobs
/// against MaxConcurrentJobs and whose bytes count against MaxStoredBytes as they arrive. Each request
/// that stores anything takes a <see cref="QuotaLease"/>.
/// </summary>
public sealed class TenantQuotas(IObjectStore objects)
{
    private readonly ConcurrentDictionary<string, InFlight> _inFlight = new();

    /// <summary>Starts an upload: refused (429) when the tenant's jobs and uploads in progress are at its limit, (413) when its store is full.</summary>
    public async Task<QuotaLease> BeginAsync(string tenant, TenantOptions limits, int unfinishedJobs, CancellationToken cancellation)
    {
        var inFlight = _inFlight.GetOrAdd(tenant, _ => new InFlight());
        if (Interlocked.Increment(ref inFlight.Uploads) + unfinishedJobs > limits.MaxConcurrentJobs)
        {
            Interlocked.Decrement(ref inFlight.Uploads);
            throw new UploadRejectedException(StatusCodes.Status429TooManyRequests, "Too many jobs",
                $"this tenant already has {limits.MaxConcurrentJobs} unfinished jobs and uploads in progress");
        }
        var lease = new QuotaLease(inFlight, limits.MaxStoredBytes);
        try
        {
            lease.Stored = await StoredBytesAsync(tenant, cancellation);
            lease.Spend(0);
            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>The tenant's uploads in progress in this process.</summary>
    public int UploadsInProgress(string tenant) => _inFlight.TryGetValue(tenant, out var inFlight) ? Volatile.Read(ref inFlight.Uploads) : 0;

    /// <summary>Bytes under the tenant's prefix now (a listing: cost grows with its objects, which retention bounds).</summary>
    public async Task<long> StoredBytesAsync(string tenant, CancellationToken cancellation)
    {
        long total = 0;
        await foreach (var stored in objects.ListObjectsAsync($"tenants/{tenant}/", cancellation))
            total += stored.Size;
        return total;
    }

    internal sealed class InFlight
    {
        public int Uploads;
        public long Bytes;
    }
}
