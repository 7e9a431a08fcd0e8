using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Health;

/// <summary>The job store answers a trivial query (PostgreSQL or SQLite).</summary>
public sealed class JobStoreHealthCheck(IJobQueries store) : DependencyHealthCheck
{
    protected override string Dependency => PublicErrors.JobStore;

    protected override Task ProbeAsync(CancellationToken cancellation) => store.PingAsync(cancellation);
}
