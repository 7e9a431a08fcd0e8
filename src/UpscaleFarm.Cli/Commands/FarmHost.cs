using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Cli.Commands;

/// <summary>
/// Builds a host for farm roles with the farm's configuration sources: appsettings.json in the working
/// directory, an optional --config file and environment variables (Farm__…).
/// </summary>
public static class FarmHost
{
    public static IHost Build(FarmRoles roles, string? configFile, bool quiet)
    {
        var builder = Host.CreateApplicationBuilder();
        if (configFile is not null)
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        if (quiet)
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddUpscaleFarm(builder.Configuration, roles);
        return builder.Build();
    }
}
