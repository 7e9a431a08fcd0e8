using System.CommandLine;
using UpscaleFarm.Bench.Benchmarks;
using UpscaleFarm.Cli.Terminal;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Synthetic;

namespace UpscaleFarm.Bench.Commands;

/// <summary>
/// <c>upscalefarm-bench farm plumbing|efficiency</c>: the embedded farm (one coordinator, worker and
/// assembler in this process). Plumbing uses a near-free nearest-neighbour ×4 model, so the figures are
/// the cost of cutting, codecs, storage, messaging and assembly; efficiency sets the farm against the
/// engine alone on the same image and model, alternating runs in one process.
/// </summary>
public static class BenchFarmCommand
{
    public static Command Create(Func<string> defaultImage)
    {
        var image = new Option<string>("--image") { DefaultValueFactory = _ => defaultImage() };
        var size = new Option<string?>("--size") { Description = "resample the image to WxH first" };
        var runs = new Option<int>("--runs") { DefaultValueFactory = _ => 3 };
        var format = new Option<string>("--format") { Description = "result format", DefaultValueFactory = _ => "png" };
        var concurrentTiles = new Option<int>("--concurrent-tiles") { Description = "Worker:ConcurrentTiles (0: 2 × batch + 1)" };
        var batch = new Option<int>("--batch") { Description = "Worker:BatchSize", DefaultValueFactory = _ => 1 };
        var conversion = new Option<string>("--pixel-conversion") { Description = "Worker:PixelConversion: auto, device or host", DefaultValueFactory = _ => "auto" };
        var streams = new Option<int>("--streams") { Description = "Worker:InferenceStreams", DefaultValueFactory = _ => 1 };
        var pageLocked = new Option<bool>("--pageable") { Description = "Worker:PageLockedBuffers off: ordinary host memory on a GPU" };
        Dictionary<string, string?> Worker(ParseResult parse) => new()
        {
            ["ConcurrentTiles"] = parse.GetValue(concurrentTiles).ToString(),
            ["BatchSize"] = parse.GetValue(batch).ToString(),
            ["PixelConversion"] = parse.GetValue(conversion),
            ["InferenceStreams"] = parse.GetValue(streams).ToString(),
            ["PageLockedBuffers"] = (!parse.GetValue(pageLocked)).ToString(),
        };

        var plumbing = new Command("plumbing", "farm throughput with a near-free model: output MP/s per stage") { image, size, runs, format, concurrentTiles, batch, conversion, streams, pageLocked };
        plumbing.SetAction(async parse => await RunAsync(async () =>
        {
            using var work = new TempDirectory();
            var input = BenchImage.Resized(parse.GetValue(image)!, parse.GetValue(size) ?? "2048x2048", work.File("bench.png"));
            var models = NearestNeighbourModel.WriteCatalog(work.File("models"));
            await using var farm = await FarmBenchmark.StartAsync(work.File("farm"), models, Worker(parse));
            Console.WriteLine($"nearest-x4 on {input} ({parse.GetValue(size) ?? "2048x2048"}), result {parse.GetValue(format)}; {Environment.ProcessorCount} cores; one warm-up job, then {parse.GetValue(runs)}\n");
            Console.WriteLine("| run | tiles | output MP | wall s | planning s | tiles s | assembly s | end-to-end output MP/s | worker output MP/s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            var request = new JobRequest { Options = new() { Format = parse.GetValue(format)! } };
            await farm.RunAsync(input, request);
            for (var run = 1; run <= parse.GetValue(runs); run++)
            {
                var r = await farm.RunAsync(input, request);
                Console.WriteLine($"| {run} | {r.Tiles} | {r.OutputMegapixels:F1} | {r.Wall.TotalSeconds:F2} | {r.Planning.TotalSeconds:F2} | {r.TileStage.TotalSeconds:F2} | {r.Assembly.TotalSeconds:F2} | {r.OutputMegapixels / r.Wall.TotalSeconds:F1} | {r.OutputMegapixels / r.TileStage.TotalSeconds:F1} |");
            }
        }));

        var model = new Option<string>("--model") { DefaultValueFactory = _ => "general-x4v3" };
        var efficiency = new Command("efficiency", "farm end to end against the engine alone, same image and model") { image, size, runs, model, concurrentTiles, batch, conversion, streams, pageLocked };
        efficiency.SetAction(async parse => await RunAsync(async () =>
        {
            using var work = new TempDirectory();
            var input = BenchImage.Resized(parse.GetValue(image)!, parse.GetValue(size) ?? "1280x854", work.File("bench.png"));
            var catalog = ModelCatalog.Load();
            var entry = catalog.Find(parse.GetValue(model));
            using var session = ModelSession.Create(catalog.OnnxPath(entry), new SessionSettings());
            var engine = new ImageUpscaler(session, new UpscaleSettings { TileSize = entry.TileSize, Halo = entry.Halo });
            await using var farm = await FarmBenchmark.StartAsync(work.File("farm"), null, Worker(parse));
            // On a GPU worker: the device's utilisation (NVML, the farm's own gauge) while the farm runs.
            using var gpu = new GaugeSampler("upscalefarm.gpu.utilization", TimeSpan.FromMilliseconds(100));
            var request = new JobRequest { Model = entry.Id };
            Console.WriteLine($"{entry.Id} on {input} ({parse.GetValue(size) ?? "1280x854"}), tiles {entry.TileSize}/{entry.Halo}, PNG; {Environment.ProcessorCount} cores; runs alternate engine and farm after one warm-up each\n");
            Console.WriteLine("| run | engine s | farm s | farm planning s | farm tiles s | farm assembly s | farm tile-stage output MP/s | farm ÷ engine throughput |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            engine.Upscale(input, work.File("engine.png"), new EncodeOptions(ImageFormat.Png));
            await farm.RunAsync(input, request);
            var ratios = new List<double>();
            var busy = new List<double>();
            for (var run = 1; run <= parse.GetValue(runs); run++)
            {
                var e = engine.Upscale(input, work.File("engine.png"), new EncodeOptions(ImageFormat.Png)).Elapsed;
                gpu.Reset();
                var f = await farm.RunAsync(input, request);
                if (gpu.Mean is { } mean)
                    busy.Add(mean);
                ratios.Add(e.TotalSeconds / f.Wall.TotalSeconds);
                Console.WriteLine($"| {run} | {e.TotalSeconds:F2} | {f.Wall.TotalSeconds:F2} | {f.Planning.TotalSeconds:F2} | {f.TileStage.TotalSeconds:F2} | {f.Assembly.TotalSeconds:F2} | {f.OutputMegapixels / f.TileStage.TotalSeconds:F1} | {ratios[^1]:F3} |");
            }
            Console.WriteLine($"\nmedian efficiency: {ratios.Order().ElementAt(ratios.Count / 2):F3}");
            Console.WriteLine(busy.Count > 0 ? $"GPU utilisation during the farm runs (NVML): {string.Join(", ", busy.Select(b => b.ToString("P0")))}" : "no GPU utilisation gauge (CPU worker, or no NVML)");
        }));

        var directory = new Argument<string>("directory");
        var prepareSize = new Option<string>("--size") { DefaultValueFactory = _ => "10000x10000" };
        var source = new Option<string>("--source") { Description = "png, interlaced-png, jpeg or progressive-jpeg", DefaultValueFactory = _ => "png" };
        source.AcceptOnlyFromAmong("png", "interlaced-png", "jpeg", "progressive-jpeg");
        var prepare = new Command("prepare", "write DIRECTORY/models (the nearest-neighbour model) and DIRECTORY/source.png (.jpg) for scripts/bench-huge.sh")
            { directory, image, prepareSize, source };
        prepare.SetAction(parse => CliError.Run(() =>
        {
            var target = Directory.CreateDirectory(parse.GetValue(directory)!).FullName;
            NearestNeighbourModel.WriteCatalog(Path.Combine(target, "models"));
            var kind = parse.GetValue(source)!;
            var name = kind.EndsWith("jpeg", StringComparison.Ordinal) ? "source.jpg" : "source.png";
            Console.WriteLine(BenchImage.Resized(parse.GetValue(image)!, parse.GetValue(prepareSize)!, Path.Combine(target, name), interlaced: kind.StartsWith("interlaced") || kind.StartsWith("progressive")));
            return 0;
        }));

        var backlogs = new Option<int[]>("--backlogs") { Description = "planned tiles in the job store, one row each", DefaultValueFactory = _ => [1_000, 10_000, 100_000], AllowMultipleArgumentsPerToken = true };
        var window = new Option<int>("--window") { DefaultValueFactory = _ => 512 };
        var postgres = new Option<string?>("--postgres") { Description = "a PostgreSQL connection string (an empty database); default: SQLite in a temporary folder" };
        var tenants = new Option<int>("--tenants") { Description = "tenants the jobs belong to, in turn (they share each priority)", DefaultValueFactory = _ => 1 };
        var priorities = new Option<int>("--priorities") { Description = "priorities the jobs have, in turn (1: all the same)", DefaultValueFactory = _ => 10 };
        var dispatch = new Command("dispatch", "the tile dispatcher's job-store queries under a large backlog") { backlogs, window, postgres, tenants, priorities };
        dispatch.SetAction(async parse => await RunAsync(() => DispatchAsync(parse.GetValue(backlogs)!, parse.GetValue(window), parse.GetValue(postgres),
            parse.GetValue(tenants), parse.GetValue(priorities))));

        return new Command("farm", "the embedded farm's throughput and overhead") { plumbing, efficiency, prepare, dispatch };
    }

    private static async Task DispatchAsync(int[] backlogs, int window, string? postgres, int tenants, int priorities)
    {
        Console.WriteLine($"{(postgres is null ? "SQLite" : "PostgreSQL")}; jobs of 1000 tiles, {tenants} tenant(s), priorities 0-{priorities - 1}; window {window}; " +
            "refill after 64 tiles finish (medians of 20)\n");
        Console.WriteLine("| planned tiles | claim a full window ms | complete a tile ms | refill 64 ms | count backlog ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var backlog in backlogs)
        {
            using var work = new TempDirectory();
            using var store = new SqlJobStore(postgres is null ? SqlDialect.Sqlite($"Data Source={work.File("farm.db")}") : SqlDialect.Postgres(postgres));
            await store.MigrateAsync();
            if (postgres is not null)
                await DispatchBenchmark.EmptyPostgresAsync(postgres);
            await DispatchBenchmark.AddBacklogAsync(store, Math.Max(1, backlog / 1000), Math.Min(backlog, 1000), tenants, priorities);
            var r = await DispatchBenchmark.RunAsync(store, backlog, window, 64, 20);
            Console.WriteLine($"| {backlog} | {r.Fill.TotalMilliseconds:F1} | {r.Complete.TotalMilliseconds:F2} | {r.Refill.TotalMilliseconds:F1} | {r.Count.TotalMilliseconds:F1} |");
        }
    }

    private static async Task<int> RunAsync(Func<Task> body)
    {
        try
        {
            await body();
            return 0;
        }
        catch (Exception e) when (CliError.IsExpected(e) || e is InvalidOperationException)
        {
            CliError.Write(e.Message);
            return CliError.Failure;
        }
    }
}
