using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>
/// Runs jobs on an embedded farm in this process (one coordinator, one worker, one assembler) and
/// splits each job's wall time into stages from the job store's timestamps.
/// </summary>
public sealed class FarmBenchmark : IAsyncDisposable
{
    private readonly IHost _host;

    private FarmBenchmark(IHost host) => _host = host;

    /// <param name="worker">Worker settings ("BatchSize", "ConcurrentTiles", …) under Farm:Worker.</param>
    public static async Task<FarmBenchmark> StartAsync(string dataDirectory, string? modelsDirectory, IDictionary<string, string?>? worker = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = dataDirectory,
            ["Farm:ModelsDirectory"] = modelsDirectory ?? "",
        };
        foreach (var (key, value) in worker ?? new Dictionary<string, string?>())
            settings[$"Farm:Worker:{key}"] = value;
        var host = FarmHost.Build(_ => FarmRoles.All, settings, useDefaults: false, minimumLevel: LogLevel.Warning);
        await host.StartAsync();
        return new FarmBenchmark(host);
    }

    public async Task<FarmRun> RunAsync(string image, JobRequest request)
    {
        var client = _host.Services.GetRequiredService<FarmClient>();
        var store = _host.Services.GetRequiredService<IJobStore>();
        var clock = Stopwatch.StartNew();
        var id = await client.SubmitAsync([image], request);
        var job = await client.WaitAsync(id);
        clock.Stop();
        if (job.State != JobState.Completed)
            throw new InvalidOperationException($"benchmark job {job.State}: {job.Error}");
        var tiles = await store.GetTilesAsync(id, 0);
        var frame = (await store.GetFrameAsync(id, 0))!;
        var firstTile = tiles.Min(t => t.StartedMs!.Value);
        var lastTile = tiles.Max(t => t.FinishedMs!.Value);
        return new FarmRun(clock.Elapsed, tiles.Count,
            OutputMegapixels: (double)frame.Width * frame.Scale * frame.Height * frame.Scale / 1e6,
            Planning: TimeSpan.FromMilliseconds(firstTile - job.CreatedMs),
            TileStage: TimeSpan.FromMilliseconds(lastTile - firstTile),
            Assembly: TimeSpan.FromMilliseconds(job.FinishedMs!.Value - lastTile));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
