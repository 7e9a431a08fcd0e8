using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>The farm in this process, as `upscalefarm serve` hosts it, with settings given as "Farm:…" keys.</summary>
internal sealed class EmbeddedFarm : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedFarm(IHost host) => _host = host;

    public FarmClient Client => _host.Services.GetRequiredService<FarmClient>();
    public IJobStore Store => _host.Services.GetRequiredService<IJobStore>();
    public IObjectStore Objects => _host.Services.GetRequiredService<IObjectStore>();
    public IBus Bus => _host.Services.GetRequiredService<IBus>();
    public IServiceProvider Services => _host.Services;

    public static async Task<EmbeddedFarm> StartAsync(IDictionary<string, string?> settings, FarmRoles roles = FarmRoles.All)
    {
        var host = FarmHost.Build(_ => roles, settings, useDefaults: false, minimumLevel: LogLevel.Warning);
        await host.StartAsync();
        return new EmbeddedFarm(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
