using Microsoft.Extensions.Configuration;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Cli.Commands;

/// <summary>
/// The models of the commands that read no farm settings file (upscale, models list|fetch|import): the farm's one
/// setting, Farm:ModelsDirectory, from the environment as the images and the chart set it (Farm__ModelsDirectory), with
/// the farm's fallbacks (<see cref="FarmOptions.LoadModels"/>), so `upscale` and `serve` on one machine use the same models.
/// </summary>
public static class CliModels
{
    private const string Setting = $"{FarmOptions.Section}:{nameof(FarmOptions.ModelsDirectory)}";

    public static ModelCatalog Load()
    {
        // Only this key: another Farm__… variable meant for `serve` (a transport, a store) is no business of these commands.
        var directory = new ConfigurationBuilder().AddEnvironmentVariables().Build()[Setting];
        return new FarmOptions { ModelsDirectory = directory ?? "" }.LoadModels();
    }
}
