using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UpscaleFarm.Farm.Configuration;

/// <summary>
/// The one way a process hosts farm roles: `upscalefarm serve` and `farm`, the benchmarks and the tests.
/// </summary>
public static class FarmHost
{
    /// <param name="roles">Chooses the roles from the settings (an embedded farm must run all of them in its one process).</param>
    /// <param name="settings">"Farm:…" keys, added after every other source.</param>
    /// <param name="farm">Settings set in code, over every source: the typed way to configure an embedded farm.</param>
    /// <param name="configFile">A JSON settings file.</param>
    /// <param name="useDefaults">Also read appsettings.json and environment variables (Farm__…), as the CLI does;
    /// off, only <paramref name="settings"/> count, as a test or benchmark wants.</param>
    /// <param name="configure">Anything else the host adds (observability, health endpoints), given the configured builder.</param>
    public static IHost Build(Func<FarmOptions, FarmRoles> roles, IDictionary<string, string?>? settings = null,
        string? configFile = null, bool useDefaults = true, LogLevel minimumLevel = LogLevel.Information,
        Action<IHostApplicationBuilder>? configure = null, Action<FarmOptions>? farm = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = !useDefaults });
        if (configFile is not null)
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        if (!useDefaults)
            builder.Logging.AddConsole();
        builder.Logging.SetMinimumLevel(minimumLevel);
        builder.Services.AddUpscaleFarm(builder.Configuration, roles, configure: farm);
        configure?.Invoke(builder);
        return builder.Build();
    }
}
