using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UpscaleFarm.Farm.Health;

/// <summary>
/// The readiness checks of every process that uses the farm (the API and each `serve --role`): the job
/// store, the object store and the message broker, which every role uses. They are not tagged "live": an
/// outage of a dependency makes a process unready (no traffic, and readiness says which dependency is
/// down), never restarted, since a restart cannot bring the dependency back.
/// </summary>
public static class FarmHealthChecks
{
    // The names readiness reports: the dependencies' public names, nothing of where they are.
    public const string JobStore = "job-store";
    public const string ObjectStore = "object-store";
    public const string MessageBroker = "message-broker";

    public static IServiceCollection AddFarmHealthChecks(this IServiceCollection services)
    {
        // Singletons, so that each check's shared probe and cached result are one per process (a registration
        // by type would make a check per run). Each bounds its own probe (DependencyHealthCheck.Timeout).
        services.AddSingleton<JobStoreHealthCheck>();
        services.AddSingleton<ObjectStoreHealthCheck>();
        services.AddHealthChecks()
            .Add(new HealthCheckRegistration(JobStore, sp => sp.GetRequiredService<JobStoreHealthCheck>(), HealthStatus.Unhealthy, null))
            .Add(new HealthCheckRegistration(ObjectStore, sp => sp.GetRequiredService<ObjectStoreHealthCheck>(), HealthStatus.Unhealthy, null));
        return services;
    }

    /// <summary>
    /// MassTransit's own bus check, named as readiness reports it. It reports a bus whose endpoints lost the
    /// broker as Degraded, which the health endpoints count as unavailable (<c>HealthReportJson.StatusCode</c>).
    /// </summary>
    public static void ConfigureBusHealthCheck(IBusRegistrationConfigurator bus) =>
        bus.ConfigureHealthCheckOptions(check => check.Name = MessageBroker);
}
