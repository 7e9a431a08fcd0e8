using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// MassTransit's usage report (a post to its vendor five minutes after the bus starts) is off in every
/// process: the API with its embedded farm, and a farm host of each role as `serve` builds them.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class UsageTelemetryTests(ApiFactory api)
{
    [Fact]
    public void The_api_reports_nothing_to_masstransit() =>
        Assert.False(api.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);

    [Theory]
    [InlineData(FarmRoles.Coordinator)]
    [InlineData(FarmRoles.Worker)]
    [InlineData(FarmRoles.Assembler)]
    public void Each_farm_role_reports_nothing_to_masstransit(FarmRoles role)
    {
        var data = Directory.CreateTempSubdirectory("upscalefarm-telemetry-").FullName;
        try
        {
            using var host = FarmHost.Build(_ => role, new Dictionary<string, string?> { ["Farm:DataDirectory"] = data }, useDefaults: false);
            Assert.False(host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
