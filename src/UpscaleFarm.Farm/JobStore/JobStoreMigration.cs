using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// Creates the job store's tables before anything else starts (it is registered before MassTransit's host), then moves
/// what an earlier build kept in rows into the object store (the ICC profiles of frames not yet assembled). A process
/// started while the job store is down (a restart, a failover, a node coming up first) waits for it within
/// Farm:OutageToleranceSeconds instead of crashing into a restart loop.
/// </summary>
internal sealed class JobStoreMigration(IJobStoreSchema store, IObjectStore objects, IOptions<FarmOptions> options, ILogger<JobStoreMigration> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        TransientFailures.WaitAtStartAsync(PublicErrors.JobStore, async cancellation =>
        {
            await store.MigrateAsync(cancellation);
            await MoveLegacyIccProfilesAsync(cancellation);
        }, TimeSpan.FromSeconds(options.Value.OutageToleranceSeconds), logger, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// One frame at a time (several processes starting at once move the same profile to the same key, harmlessly). A profile
    /// over Farm:Limits:MaxIccProfileBytes, which the earlier build did not limit, is dropped: its result is written without it.
    /// </summary>
    private async Task MoveLegacyIccProfilesAsync(CancellationToken cancellation)
    {
        var maxBytes = options.Value.Limits.MaxIccProfileBytes;
        while (await store.FindLegacyIccProfileAsync(cancellation) is { } legacy)
        {
            string? key = null;
            if (legacy.Profile.Length <= maxBytes)
            {
                key = FarmKeys.IccProfile(legacy.Tenant, legacy.JobId, legacy.Profile);
                await objects.PutAsync(key, new MemoryStream(legacy.Profile, writable: false), cancellation);
            }
            else
            {
                logger.LogWarning("Frame {Frame} of job {JobId}: its {Bytes}-byte ICC profile is over Farm:Limits:MaxIccProfileBytes and is dropped",
                    legacy.Frame, legacy.JobId, legacy.Profile.Length);
            }
            await store.MoveLegacyIccProfileAsync(legacy.JobId, legacy.Frame, key, cancellation);
        }
    }
}
