using System.CommandLine;
using UpscaleFarm.Bench.Benchmarks;
using UpscaleFarm.Cli.Terminal;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Engine.Tiling;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Setup;

namespace UpscaleFarm.Bench.Commands;

/// <summary>
/// <c>upscalefarm-bench</c>: engine throughput per model at the default tile settings and whole-image,
/// achieved GFLOP/s against a large MatMul, and the reference binary on the same image, in one run.
/// <c>upscalefarm-bench tiling</c>: seam PSNR and halo overhead for tile/halo pairs; <c>codecs</c>, <c>inference</c>,
/// <c>farm</c> and <c>api</c> measure the other stages.
/// </summary>
public static class BenchCommand
{
    public static RootCommand Create()
    {
        var image = new Option<string>("--image") { Description = "the image to measure on", DefaultValueFactory = _ => DefaultImage() };
        var models = new Option<string[]>("--models") { Description = "model ids", DefaultValueFactory = _ => ["general-x4v3", "x4plus"], AllowMultipleArgumentsPerToken = true };
        var runs = new Option<int>("--runs") { Description = "timed runs per figure (after a warm-up)", DefaultValueFactory = _ => 3 };
        var reference = new Option<bool>("--reference") { Description = "also time upscayl-bin (realesrgan-ncnn-vulkan) with general-x4v3", DefaultValueFactory = _ => true };
        var size = new Option<string?>("--size") { Description = "resample the image to WxH first (Lanczos), e.g. 1920x1280, to measure multi-tile images" };
        var device = DeviceOption.Create();
        var batches = new Option<int[]>("--batch") { Description = "tiles per inference call; several values give one row each", DefaultValueFactory = _ => [1], AllowMultipleArgumentsPerToken = true };
        var fp32 = new Option<bool>("--fp32") { Description = "keep fp32 on GPUs (the default runs them in fp16)" };
        var bench = new RootCommand("UpscaleFarm's benchmarks: engine throughput, tiling, codecs, inference, the farm and the job API; each prints Markdown")
        {
            image, size, models, runs, reference, device, batches, fp32,
        };
        bench.SetAction(parse => CliError.Run(() =>
        {
            using var work = new TempDirectory();
            var input = parse.GetValue(size) is { } wxh ? BenchImage.Resized(parse.GetValue(image)!, wxh, work.File("bench.png")) : parse.GetValue(image)!;
            var settings = new SessionSettings { Device = parse.GetValue(device), Fp16OnGpu = !parse.GetValue(fp32) };
            return Throughput(input, parse.GetValue(models)!, parse.GetValue(runs), parse.GetValue(reference), settings, parse.GetValue(batches)!);
        }));

        var model = new Option<string?>("--model") { Description = "model id" };
        var tiles = new Option<int[]>("--tiles") { DefaultValueFactory = _ => [128, 256, 512], AllowMultipleArgumentsPerToken = true };
        var halos = new Option<int[]>("--halos") { DefaultValueFactory = _ => [8, 16, 24, 32], AllowMultipleArgumentsPerToken = true };
        var tilingImage = new Option<string>("--image") { DefaultValueFactory = _ => DefaultImage() };
        var tilingSize = new Option<string?>("--size") { Description = "resample the image to WxH first" };
        var tilingRuns = new Option<int>("--runs") { Description = "timed runs per configuration (after a warm-up run)", DefaultValueFactory = _ => 1 };
        var tiling = new Command("tiling", "tiled against whole-image output: PSNR, halo overhead and time") { model, tiles, halos, tilingImage, tilingSize, tilingRuns };
        tiling.SetAction(parse => CliError.Run(() =>
        {
            using var work = new TempDirectory();
            var input = parse.GetValue(tilingSize) is { } wxh ? BenchImage.Resized(parse.GetValue(tilingImage)!, wxh, work.File("bench.png")) : parse.GetValue(tilingImage)!;
            return Tiling(parse.GetValue(model), input, parse.GetValue(tiles)!, parse.GetValue(halos)!, parse.GetValue(tilingRuns));
        }));
        bench.Add(tiling);

        var codecImage = new Option<string>("--image") { DefaultValueFactory = _ => DefaultImage() };
        var codecTile = new Option<int>("--tile") { Description = "tile side in output pixels", DefaultValueFactory = _ => 512 };
        var codecRuns = new Option<int>("--runs") { DefaultValueFactory = _ => 9 };
        var codecs = new Command("codecs", "tile transport codecs on real upscaled tiles: MP/s per core and bytes per MP") { codecImage, codecTile, codecRuns };
        codecs.SetAction(parse => CliError.Run(() => Codecs(parse.GetValue(codecImage)!, parse.GetValue(codecTile), parse.GetValue(codecRuns))));
        bench.Add(codecs);
        var inferenceModels = new Option<string[]>("--models") { DefaultValueFactory = _ => ["general-x4v3", "x4plus"], AllowMultipleArgumentsPerToken = true };
        var inferenceBatches = new Option<int[]>("--batch") { DefaultValueFactory = _ => [1, 4, 8], AllowMultipleArgumentsPerToken = true };
        var inferenceSeconds = new Option<double>("--seconds") { Description = "time per row", DefaultValueFactory = _ => 5 };
        var inferenceDevice = DeviceOption.Create();
        var inferenceFp32 = new Option<bool>("--fp32") { Description = "keep fp32 on GPUs" };
        var inference = new Command("inference", "the model alone on random tiles of its default size (tile + 2 × halo): tiles/s and output MP/s")
        {
            inferenceModels, inferenceBatches, inferenceSeconds, inferenceDevice, inferenceFp32,
        };
        inference.SetAction(parse => CliError.Run(() => Inference(parse.GetValue(inferenceModels)!, parse.GetValue(inferenceBatches)!,
            TimeSpan.FromSeconds(parse.GetValue(inferenceSeconds)),
            new SessionSettings { Device = parse.GetValue(inferenceDevice), Fp16OnGpu = !parse.GetValue(inferenceFp32) })));
        bench.Add(inference);
        bench.Add(BenchFarmCommand.Create(DefaultImage));
        bench.Add(BenchApiCommand.Create(DefaultImage));
        return bench;
    }

    private static string DefaultImage()
    {
        var catalog = ModelCatalog.Locate();
        var shared = Path.Combine(catalog, "..", "..", "shared", "testdata", "images", "rocket.jpg");
        return File.Exists(shared) ? Path.GetFullPath(shared) : Path.GetFullPath(Path.Combine(catalog, "..", "samples", "chelsea.png"));
    }

    private static int Throughput(string image, string[] modelIds, int runs, bool withReference, SessionSettings sessionSettings, int[] batches)
    {
        var catalog = ModelCatalog.Load();
        using var work = new TempDirectory();
        // This machine's speed drifts with its neighbours' load: the MatMul is measured again before each
        // model, and each model's rate is set against the MatMul measured beside it.
        Console.WriteLine($"image: {image} ({ImageSize(image)}); {Environment.ProcessorCount} cores ({CpuName()}); medians of {runs} runs after a warm-up\n");
        Console.WriteLine("| model | tiling | batch | tiles | halo overhead | seconds | input MP/s | GFLOP/s | MatMul GFLOP/s | % of MatMul |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        double? fastTime = null;
        foreach (var id in modelIds)
        {
            var model = catalog.Find(id);
            using var session = ModelSession.Create(catalog.OnnxPath(model), sessionSettings);
            // The CPU's MatMul is only a yardstick for CPU sessions.
            double? matmul = session.Device == ExecutionDevice.Cpu ? MatMulBenchmark.GflopPerSecond() : null;
            var rows = batches.Select(b => ($"default {model.TileSize}/{model.Halo}", model.TileSize, model.Halo, b)).Append(("whole image", 0, 0, 1));
            foreach (var (label, tile, halo, batch) in rows)
            {
                var settings = new UpscaleSettings { TileSize = tile, Halo = halo, BatchSize = batch };
                var (time, result) = ThroughputBenchmark.Run(session, settings, image, Path.Combine(work.Path, "out.png"), runs);
                var seconds = time.TotalSeconds;
                var gflops = model.MflopPerInputPixel * result.InputMegapixels * 1e6 / seconds / 1e3;
                var device = session.Device + (session.IsFp16 ? " fp16" : "");
                Console.WriteLine($"| {model.Id} ({device}) | {label} | {batch} | {result.Tiles} | {result.HaloOverhead:P1} | {seconds:F2} | {result.InputMegapixels / seconds:F3} | {gflops:F1} | {matmul?.ToString("F1") ?? "–"} | {(matmul is { } m ? (gflops / m).ToString("P0") : "–")} |");
                if (model.Id == "general-x4v3" && tile != 0 && batch == batches[0])
                    fastTime = seconds;
            }
        }
        if (withReference)
        {
            var reference = ReferenceImplementation.Locate(catalog, TextWriter.Null);
            var time = reference.Upscale(ReferenceImplementation.NcnnName(catalog.Find("general-x4v3")), image, Path.Combine(work.Path, "reference.png"));
            Console.WriteLine($"\nupscayl-bin (realesrgan-ncnn-vulkan), general-x4v3: {time.TotalSeconds:F1} s" +
                              (fastTime is { } t ? $"; engine at default tiling is {time.TotalSeconds / t:F1}x faster" : ""));
        }
        return 0;
    }

    private static int Inference(string[] modelIds, int[] batches, TimeSpan duration, SessionSettings settings)
    {
        var catalog = ModelCatalog.Load();
        Console.WriteLine($"random tiles, {duration.TotalSeconds:F0} s per row after 3 warm-up batches; {Environment.ProcessorCount} cores ({CpuName()})\n");
        Console.WriteLine("| model | device | tile (with halo) | batch | tiles/s | input MP/s | kept output MP/s |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var id in modelIds)
        {
            var model = catalog.Find(id);
            using var session = ModelSession.Create(catalog.OnnxPath(model), settings);
            var side = model.TileSize + 2 * model.Halo;
            foreach (var batch in batches)
            {
                var r = InferenceBenchmark.Run(session, batch, side, duration);
                var tiles = r.BatchesPerSecond * batch;
                // A worker keeps the core of each tile (the halo is cut off): that is what the farm delivers.
                var kept = (double)model.TileSize * model.TileSize * model.Scale * model.Scale / 1e6;
                Console.WriteLine($"| {model.Id} | {session.Device}{(session.IsFp16 ? " fp16" : "")} | {model.TileSize}+2×{model.Halo} = {side} | {batch} | {tiles:F1} | {tiles * side * side / 1e6:F2} | {tiles * kept:F1} |");
            }
        }
        return 0;
    }

    private static int Tiling(string? modelId, string image, int[] tiles, int[] halos, int runs)
    {
        var catalog = ModelCatalog.Load();
        var model = catalog.Find(modelId);
        using var session = ModelSession.Create(catalog.OnnxPath(model), new SessionSettings { Device = ExecutionDevice.Cpu });
        using var work = new TempDirectory();
        var whole = work.File("whole.png");
        var (wholeTime, _) = ThroughputBenchmark.Run(session, new UpscaleSettings { TileSize = 0, Halo = 0 }, image, whole, runs);
        Console.WriteLine($"{model.Id} on {image} ({ImageSize(image)}): tiled against whole-image output; whole image {wholeTime.TotalSeconds:F2} s (median of {runs} after a warm-up)\n");
        Console.WriteLine("| tile | halo | tiles | halo overhead | PSNR dB | max difference (levels) | seconds | time vs whole |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var tile in tiles)
        foreach (var halo in halos)
        {
            var tiled = work.File($"t{tile}h{halo}.png");
            var (time, result) = ThroughputBenchmark.Run(session, new UpscaleSettings { TileSize = tile, Halo = halo }, image, tiled, runs);
            var comparison = ImageComparison.Compare(whole, tiled);
            var psnr = double.IsInfinity(comparison.Psnr) ? "identical" : comparison.Psnr.ToString("F1");
            Console.WriteLine($"| {tile} | {halo} | {result.Tiles} | {result.HaloOverhead:P1} | {psnr} | {comparison.MaxDifference} | {time.TotalSeconds:F2} | {time / wholeTime:P0} |");
        }
        return 0;
    }

    private static int Codecs(string image, int tileSize, int runs)
    {
        var catalog = ModelCatalog.Load();
        var model = catalog.Default;
        using var session = ModelSession.Create(catalog.OnnxPath(model), new SessionSettings { Device = ExecutionDevice.Cpu });
        using var work = new TempDirectory();
        var upscaled = work.File("upscaled.png");
        new ImageUpscaler(session, new UpscaleSettings { TileSize = model.TileSize, Halo = model.Halo }).Upscale(image, upscaled, new EncodeOptions(ImageFormat.Png));
        var tiles = CodecBenchmark.Tiles(upscaled, tileSize);
        NetVips.NetVips.Concurrency = 1; // per-core figures: libvips would otherwise spread PNG work over threads
        var rawBytes = tiles.Sum(t => (double)t.Pixels.Length) / tiles.Sum(t => t.Megapixels);
        Console.WriteLine($"{tiles.Count} tiles of {tileSize}² from {model.Id} on {image} ({ImageSize(image)}); one core; medians of {runs}; raw {rawBytes / 1e6:F2} MB per output MP\n");
        Console.WriteLine("| codec | encode MP/s | decode MP/s | MB per output MP | of raw |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var codec in new ITileCodec[] { new PngTileCodec(0), new PngTileCodec(1), new Lz4TileCodec(), new ZstdTileCodec(1), new ZstdTileCodec(3) })
        {
            var f = CodecBenchmark.Measure(codec, tiles, runs);
            Console.WriteLine($"| {f.Codec} | {f.EncodeMpPerSecond:F1} | {f.DecodeMpPerSecond:F1} | {f.BytesPerMegapixel / 1e6:F2} | {f.BytesPerMegapixel / rawBytes:P0} |");
        }
        return 0;
    }

    private static string ImageSize(string image)
    {
        using var header = NetVips.Image.NewFromFile(image);
        return $"{header.Width}x{header.Height}";
    }

    private static string CpuName() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
}
