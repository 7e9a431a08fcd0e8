using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Retention;

/// <summary>
/// Keeps each tenant's part of the store to what its retention allows, every Api:RetentionSweepInterval:
/// the objects of jobs that ended more than the tenant's Retention ago (their rows stay, results answer
/// 410), uploads put longer ago than that, the tiles of failed and cancelled jobs (completed jobs' tiles go
/// as each frame is assembled), and the objects of jobs that were never created (an API that died in
/// the middle of a submission) once they are older than Api:OrphanAge. Deleting is idempotent, so several
/// API replicas may sweep at once.
/// </summary>
public sealed class RetentionSweeper(IObjectStore objects, IJobQueries store, FarmClient client, TenantQuotas quotas, IOptionsMonitor<ApiOptions> api,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    // Workers may still write a tile of a job for a moment after it was cancelled.
    private static readonly TimeSpan TileGrace = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            foreach (var tenant in api.CurrentValue.Tenants)
            {
                try
                {
                    var swept = await SweepTenantAsync(tenant, DateTimeOffset.UtcNow, stopping);
                    if (swept.Total > 0)
                        logger.LogInformation("Retention for tenant {Tenant}: {Swept}", tenant.Name, swept);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Retention sweep of tenant {Tenant} failed; it runs again in {Interval}", tenant.Name, api.CurrentValue.RetentionSweepInterval);
                }
            }
            await Task.Delay(api.CurrentValue.RetentionSweepInterval, stopping);
        }
    }

    /// <summary>One pass over a tenant's objects as of <paramref name="now"/>.</summary>
    public async Task<SweepCounts> SweepTenantAsync(TenantOptions tenant, DateTimeOffset now, CancellationToken cancellation)
    {
        var cutoff = now - tenant.Retention;
        var expiredUploads = new List<string>();
        var jobs = new Dictionary<Guid, DateTimeOffset>(); // job → its newest object's time
        var prefix = $"tenants/{tenant.Name}/";
        await foreach (var stored in objects.ListObjectsAsync(prefix, cancellation))
        {
            var parts = stored.Key[prefix.Length..].Split('/');
            if (parts is ["uploads", _] && stored.LastModified < cutoff)
                expiredUploads.Add(stored.Key);
            else if (parts is ["jobs", var id, ..] && Guid.TryParseExact(id, "N", out var jobId))
                jobs[jobId] = jobs.TryGetValue(jobId, out var newest) && newest > stored.LastModified ? newest : stored.LastModified;
        }

        foreach (var key in expiredUploads)
            await objects.DeleteAsync(key, cancellation);
        int expired = 0, orphaned = 0, tiles = 0;
        foreach (var (jobId, newest) in jobs)
        {
            var job = await store.GetJobAsync(jobId, cancellation);
            if (job is null)
            {
                // No row: a submission that never completed (its row is written last). Young ones may still be in progress.
                if (newest < now - api.CurrentValue.OrphanAge)
                    orphaned += await client.PurgeAsync(tenant.Name, jobId, cancellation: cancellation);
            }
            else if (job.Tenant == tenant.Name && job.State.IsFinal && job.FinishedMs is { } finished)
            {
                var ended = DateTimeOffset.FromUnixTimeMilliseconds(finished);
                if (ended < cutoff)
                    expired += await client.PurgeAsync(tenant.Name, jobId, cancellation: cancellation);
                else if (job.State != JobState.Completed && ended < now - TileGrace)
                    tiles += await client.PurgeAsync(tenant.Name, jobId, tilesOnly: true, cancellation);
            }
        }
        var counts = new SweepCounts(expiredUploads.Count, expired, tiles, orphaned);
        if (counts.Total > 0)
            quotas.Forget(tenant.Name);
        return counts;
    }
}
