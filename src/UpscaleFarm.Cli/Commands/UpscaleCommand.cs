using System.CommandLine;
using UpscaleFarm.Cli.Terminal;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Cli.Commands;

/// <summary><c>upscalefarm upscale INPUT... -o OUTPUT</c>: files or directories through an embedded farm.</summary>
public static class UpscaleCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("input") { Description = "image files or directories of images", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "output file, or directory when there are several inputs", Required = true };
        var model = new Option<string?>("--model", "-m") { Description = "model id (see: upscalefarm models list); default general-x4v3" };
        var scale = new Option<double?>("--scale", "-s") { Description = "output scale; other than the model's, the result is resampled with Lanczos" };
        var tile = new Option<int?>("--tile", "-t") { Description = "tile size in input pixels; 0 = the whole image at once; default per model" };
        var halo = new Option<int?>("--halo") { Description = "context pixels around each tile; default per model" };
        var batch = new Option<int>("--batch") { Description = "tiles per inference call", DefaultValueFactory = _ => 1 };
        var device = DeviceOption.Create();
        var format = new Option<string?>("--format", "-f") { Description = "png, jpg, webp or tiff; default: the output name's extension, else the input's format" };
        format.AcceptOnlyFromAmong("png", "jpg", "jpeg", "webp", "tif", "tiff");
        var quality = new Option<int>("--quality") { Description = "JPEG/WebP quality", DefaultValueFactory = _ => 95 };
        var alpha = new Option<AlphaMode>("--alpha") { Description = "alpha channel: model (through the network, as Real-ESRGAN) or resample (Lanczos)", DefaultValueFactory = _ => AlphaMode.Model };
        var maxPixels = new Option<long>("--max-pixels") { Description = "refuse inputs whose header declares more pixels", DefaultValueFactory = _ => ImageLimits.Default.MaxInputPixels };
        var maxBytes = new Option<long>("--max-bytes") { Description = "refuse input files larger than this", DefaultValueFactory = _ => ImageLimits.Default.MaxInputBytes };

        var command = new Command("upscale", "upscale images with a Real-ESRGAN model")
        {
            inputs, output, model, scale, tile, halo, batch, device, format, quality, alpha, maxPixels, maxBytes,
        };
        command.SetAction(parse => CliError.Run(() =>
        {
            var catalog = CliModels.Load();
            var entry = catalog.Find(parse.GetValue(model));
            var tileSize = JobOptionRules.EffectiveTile(parse.GetValue(tile), entry);
            var settings = new UpscaleSettings
            {
                TileSize = tileSize,
                Halo = JobOptionRules.EffectiveHalo(parse.GetValue(halo), tileSize, entry),
                BatchSize = parse.GetValue(batch),
                OutScale = parse.GetValue(scale),
                Alpha = parse.GetValue(alpha),
                Limits = ImageLimits.Default with { MaxInputPixels = parse.GetValue(maxPixels), MaxInputBytes = parse.GetValue(maxBytes) },
            };
            Validate(settings, catalog, parse.GetValue(format), parse.GetValue(quality), parse.GetValue(model));
            var jobs = UpscaleJobs.Plan(parse.GetValue(inputs)!, parse.GetValue(output)!, parse.GetValue(format));
            using var signals = new SignalCancellation();
            var upscale = new EmbeddedUpscale(catalog, entry, settings, parse.GetValue(device), parse.GetValue(quality));
            return upscale.RunAsync(jobs, signals.Token).GetAwaiter().GetResult();
        }));
        return command;
    }

    /// <summary>The farm's rules for a job's options (<see cref="JobOptionRules"/>), in the command's own option names.</summary>
    private static void Validate(UpscaleSettings settings, ModelCatalog catalog, string? format, int quality, string? model)
    {
        if (settings.BatchSize < 1)
            throw new ArgumentException("--batch must be at least 1");
        var request = new JobRequest
        {
            Model = model,
            Options = new JobOptions { OutScale = settings.OutScale, TileSize = settings.TileSize, Halo = settings.Halo, Quality = quality, Format = format ?? "png" },
        };
        if (JobOptionRules.Check(request, catalog, new LimitOptions()) is { Count: > 0 } errors)
            throw new ArgumentException(string.Join("; ", errors.Select(e => $"--{e.Key}: {string.Join(", ", e.Value)}")));
    }
}
