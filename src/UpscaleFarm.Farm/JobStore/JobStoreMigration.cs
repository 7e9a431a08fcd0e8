using Microsoft.Extensions.Hosting;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>Creates the job store's tables before anything else starts (it is registered before MassTransit's host).</summary>
internal sealed class JobStoreMigration(IJobStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
