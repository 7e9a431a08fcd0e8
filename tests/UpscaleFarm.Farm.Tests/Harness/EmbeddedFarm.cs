using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Storage;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>The farm in this process, as `upscalefarm serve` hosts it, with settings given as "Farm:…" keys.</summary>
internal sealed class EmbeddedFarm : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly IDisposable? _fault;

    private EmbeddedFarm(IHost host, IDisposable? fault) => (_host, _fault) = (host, fault);

    public FarmClient Client => _host.Services.GetRequiredService<FarmClient>();
    public IJobStore Store => _host.Services.GetRequiredService<IJobStore>();
    public IObjectStore Objects => _host.Services.GetRequiredService<IObjectStore>();
    public IBus Bus => _host.Services.GetRequiredService<IBus>();
    public IServiceProvider Services => _host.Services;

    /// <param name="throwOnceAt">a checkpoint (<see cref="FarmDiagnostics"/>) where the farm fails once (<see cref="CheckpointFault"/>)</param>
    public static async Task<EmbeddedFarm> StartAsync(IDictionary<string, string?> settings, FarmRoles roles = FarmRoles.All, string? throwOnceAt = null)
    {
        var host = FarmHost.Build(_ => roles, settings, useDefaults: false, minimumLevel: LogLevel.Warning);
        var fault = throwOnceAt is null ? null : CheckpointFault.ThrowOnceAt(host.Services.GetRequiredService<FarmDiagnostics>(), throwOnceAt);
        await host.StartAsync();
        return new EmbeddedFarm(host, fault);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _fault?.Dispose();
        _host.Dispose();
    }
}
