using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>The one-process engine's output for the same settings: what the farm must reproduce byte for byte.</summary>
internal static class ReferenceUpscale
{
    public static byte[] Run(string modelsDirectory, string model, string input, string output, int tileSize, int halo, AlphaMode alpha = AlphaMode.Model)
    {
        var catalog = ModelCatalog.Load(modelsDirectory);
        using var session = ModelSession.Create(catalog.OnnxPath(catalog.Find(model)), new SessionSettings());
        new ImageUpscaler(session, new UpscaleSettings { TileSize = tileSize, Halo = halo, Alpha = alpha })
            .Upscale(input, output, new EncodeOptions(ImageFormat.Png));
        return File.ReadAllBytes(output);
    }
}
