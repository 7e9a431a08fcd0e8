using System.CommandLine;
using System.Diagnostics;
using UpscaleFarm.Cli.Terminal;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Cli.Commands;

/// <summary><c>upscalefarm upscale INPUT... -o OUTPUT</c>: files or directories through the engine.</summary>
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
            var catalog = ModelCatalog.Load();
            var entry = catalog.Find(parse.GetValue(model));
            var settings = new UpscaleSettings
            {
                TileSize = parse.GetValue(tile) ?? entry.TileSize,
                Halo = parse.GetValue(halo) ?? entry.Halo,
                BatchSize = parse.GetValue(batch),
                OutScale = parse.GetValue(scale),
                Alpha = parse.GetValue(alpha),
                Limits = ImageLimits.Default with { MaxInputPixels = parse.GetValue(maxPixels), MaxInputBytes = parse.GetValue(maxBytes) },
            };
            Validate(settings);
            var jobs = UpscaleJobs.Plan(parse.GetValue(inputs)!, parse.GetValue(output)!, parse.GetValue(format));
            using var session = ModelSession.Create(catalog.OnnxPath(entry), new SessionSettings { Device = parse.GetValue(device) });
            using var signals = new SignalCancellation();
            return Execute(new ImageUpscaler(session, settings), jobs, parse.GetValue(quality), entry, session, signals.Token);
        }));
        return command;
    }

    private static void Validate(UpscaleSettings settings)
    {
        if (settings.TileSize < 0 || settings.Halo < 0 || settings.BatchSize < 1)
            throw new ArgumentException("--tile and --halo cannot be negative and --batch must be at least 1");
        if (settings.OutScale is <= 0 or > 64)
            throw new ArgumentException("--scale must be between 0 and 64");
    }

    private static int Execute(ImageUpscaler upscaler, IReadOnlyList<UpscaleJob> jobs, int quality, ModelEntry model, ModelSession session,
        CancellationToken cancellation)
    {
        var stopwatch = Stopwatch.StartNew();
        var results = new List<UpscaleResult>();
        var failures = jobs.Count(j => j.Error is not null);
        foreach (var job in jobs.Where(j => j.Error is not null))
            CliError.Write(job.Error!);

        ProgressDisplay.Run(progressFor =>
        {
            foreach (var job in jobs.Where(j => j.Error is null))
            {
                try
                {
                    results.Add(upscaler.Upscale(job.Input, job.Output, new EncodeOptions(job.Format) { Quality = quality }, progressFor(Path.GetFileName(job.Input)), cancellation));
                }
                catch (Exception e) when (CliError.IsExpected(e))
                {
                    CliError.Write(e);
                    failures++;
                }
            }
        });

        var megapixels = results.Sum(r => r.InputMegapixels);
        foreach (var r in results)
            Console.WriteLine($"{r.Output}: {r.InputWidth}x{r.InputHeight} -> {r.OutputWidth}x{r.OutputHeight}, {r.Tiles} tiles, {r.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"{results.Count} upscaled, {failures} failed; model {model.Id} on {session.Device}{(session.IsFp16 ? " fp16" : "")}; " +
                          $"{megapixels:F2} input MP in {stopwatch.Elapsed.TotalSeconds:F1} s ({megapixels / stopwatch.Elapsed.TotalSeconds:F3} MP/s)");
        return failures == 0 ? 0 : CliError.Failure;
    }
}
