using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// Creates the job store's tables before anything else starts (it is registered before MassTransit's host).
/// A process started while the job store is down (a restart, a failover, a node coming up first) waits for
/// it within Farm:OutageToleranceSeconds instead of crashing into a restart loop.
/// </summary>
internal sealed class JobStoreMigration(IJobStore store, IOptions<FarmOptions> options, ILogger<JobStoreMigration> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        TransientFailures.WaitAtStartAsync(PublicErrors.JobStore, store.MigrateAsync, TimeSpan.FromSeconds(options.Value.OutageToleranceSeconds), logger, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
