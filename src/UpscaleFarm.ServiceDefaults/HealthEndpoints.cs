using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace UpscaleFarm.ServiceDefaults;

/// <summary>
/// The health endpoints of a service: /health/live runs the checks tagged "live" (the process answers),
/// /health/ready runs all of them (its dependencies answer too).
/// </summary>
public static class HealthEndpoints
{
    public const string LiveTag = "live";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>Serves the health endpoints on <paramref name="port"/> for a service that has no web server of its own.</summary>
    public static IHostApplicationBuilder AddHealthEndpoint(this IHostApplicationBuilder builder, int port)
    {
        builder.Services.AddHostedService(sp => new HealthEndpointServer(port, sp.GetRequiredService<HealthCheckService>()));
        return builder;
    }

    public static Func<HealthCheckRegistration, bool>? Filter(string path) => path switch
    {
        LivePath => r => r.Tags.Contains(LiveTag),
        ReadyPath => null,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };
}
