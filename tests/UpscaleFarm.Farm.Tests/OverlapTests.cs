using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Models.Synthetic;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// A job's stages overlap: tiles are dispatched as their rows are cut, before the whole frame is, and the results stay
/// the engine's bytes when a role dies in the middle. The distributed farm (RabbitMQ, PostgreSQL, s3rver), with the
/// coordinator's object store behind a slow proxy so that cutting a frame takes long enough to be seen.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class OverlapTests(FarmServices services) : IDisposable
{
    // chelsea.png (451×300) in 40 tiles of 64: 5 rows of 8.
    private static readonly JobRequest Request = new() { Options = new() { TileSize = 64, Halo = 8 } };
    private const int Tiles = 40;
    private static readonly TimeSpan CutLatency = TimeSpan.FromMilliseconds(200);

    private readonly TempDirectory _dir = new();
    private readonly List<FarmProcess> _processes = [];

    /// <summary>
    /// A farm that sends every tile alone (Coordinator:PackPixels 0): these tests slow the coordinator's uploads to see the
    /// stages overlap, and count on one upload per tile (packs of a row would be five uploads for the whole frame).
    /// </summary>
    private Dictionary<string, string?> NewFarm()
    {
        var settings = services.NewFarm($"uf_{Guid.NewGuid():N}"[..20], TestModels.NearestDirectory, _dir.File("farm"));
        settings["Farm:Coordinator:PackPixels"] = "0";
        return settings;
    }

    [Fact]
    public async Task Tiles_are_upscaled_before_the_frame_is_fully_cut()
    {
        // 200 ms before each chunk the coordinator sends or receives: its 40 uploads, four at a time, take about ten
        // seconds, far longer than a worker takes for its first tile even on a busy machine.
        using var slow = new FaultProxy(new Uri(services.S3Endpoint)) { Latency = CutLatency };
        var settings = NewFarm();
        await StartAsync(new Dictionary<string, string?>(settings) { ["Farm:S3ServiceUrl"] = slow.Url }, "coordinator");
        await StartAsync(settings, "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var source = RepoPaths.SharedImage("chelsea.png");
        var id = await client.Client.SubmitAsync([source], Request);

        // Seen in the store: a tile upscaled (done) while another is not yet cut.
        await WaitUntilAsync(async () =>
        {
            var tiles = await client.Store.GetTilesAsync(id, 0);
            return tiles.Any(t => t.State == TileState.Done) && tiles.Any(t => !t.Cut);
        });

        var job = await WaitForEndAsync(client, id);
        EmbeddedFarmTests.AssertCompleted(job);
        Assert.Equal(Tiles, job.TilesDone);
        Assert.Equal(Reference(source), await ResultBytesAsync(client, job));
    }

    [Fact]
    public async Task A_coordinator_killed_mid_cut_leaves_the_rest_to_another_and_the_result_is_identical()
    {
        using var slow = new FaultProxy(new Uri(services.S3Endpoint)) { Latency = CutLatency };
        var settings = NewFarm();
        var coordinatorSettings = new Dictionary<string, string?>(settings) { ["Farm:S3ServiceUrl"] = slow.Url };
        await StartAsync(coordinatorSettings, "coordinator");
        await StartAsync(settings, "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var source = RepoPaths.SharedImage("chelsea.png");
        var id = await client.Client.SubmitAsync([source], Request);

        // SIGKILL once part of the frame is cut: its PlanFrame goes back to the queue, unacknowledged.
        await WaitUntilAsync(async () =>
        {
            var tiles = await client.Store.GetTilesAsync(id, 0);
            return tiles.Any(t => t.Cut) && tiles.Any(t => !t.Cut);
        });
        _processes.Single(p => p.Role == "coordinator").Kill();
        var left = (await client.Store.GetTilesAsync(id, 0)).Count(t => !t.Cut);
        Assert.True(left > 0, "the frame was fully cut before the coordinator died");
        await StartAsync(coordinatorSettings, "coordinator");

        var job = await WaitForEndAsync(client, id);
        EmbeddedFarmTests.AssertCompleted(job);
        Assert.Equal(Tiles, job.TilesDone);
        Assert.All(await client.Store.GetTilesAsync(id, 0), t => Assert.Equal((TileState.Done, true), (t.State, t.Cut)));
        Assert.Equal(Reference(source), await ResultBytesAsync(client, job));
    }

    [Fact]
    public async Task An_assembler_killed_mid_progressive_write_leaves_the_frame_to_another_and_the_result_is_identical()
    {
        // Here the worker's object store is the slow one: its tiles finish over seconds, while the assembler writes the rows done.
        using var slow = new FaultProxy(new Uri(services.S3Endpoint)) { Latency = TimeSpan.FromMilliseconds(30) };
        var settings = NewFarm();
        settings["Farm:Assembler:WriterLeaseSeconds"] = "3";
        settings["Farm:Assembler:WriterPollMs"] = "50";
        _processes.Add(await FarmProcess.StartAsync("coordinator", settings, "coordinator-1"));
        _processes.Add(await FarmProcess.StartAsync("worker", new Dictionary<string, string?>(settings) { ["Farm:S3ServiceUrl"] = slow.Url }, "worker-1"));
        var doomed = await FarmProcess.StartAsync("assembler", settings, "assembler-1");
        _processes.Add(doomed);
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var source = RepoPaths.SharedImage("chelsea.png");
        var id = await client.Client.SubmitAsync([source], Request);

        // SIGKILL while the first assembler holds the frame's lease and the frame is partly upscaled.
        await WaitUntilAsync(async () =>
        {
            var frame = await client.Store.GetFrameAsync(id, 0);
            var tiles = await client.Store.GetTilesAsync(id, 0);
            return frame?.Writer?.StartsWith("assembler-1/") == true && frame.WriterUntilMs > 0
                && tiles.Any(t => t.State == TileState.Done) && tiles.Any(t => t.State == TileState.Pending);
        });
        doomed.Kill();
        Assert.True((await client.Store.GetTilesAsync(id, 0)).Any(t => t.State == TileState.Pending), "every tile was done before the assembler died");
        _processes.Add(await FarmProcess.StartAsync("assembler", settings, "assembler-2"));

        var job = await WaitForEndAsync(client, id);
        EmbeddedFarmTests.AssertCompleted(job);
        Assert.Equal(Tiles, job.TilesDone);
        // The second assembler wrote the frame, once the dead one's lease had ended.
        Assert.StartsWith("assembler-2/", (await client.Store.GetFrameAsync(id, 0))!.Writer);
        Assert.Equal(Reference(source), await ResultBytesAsync(client, job));
    }

    private byte[] Reference(string source) =>
        ReferenceUpscale.Run(TestModels.NearestDirectory, NearestNeighbourModel.Id, source, _dir.File($"engine-{Guid.NewGuid():N}.png"), 64, 8);

    private async Task StartAsync(IDictionary<string, string?> settings, params string[] roles)
    {
        foreach (var role in roles)
            _processes.Add(await FarmProcess.StartAsync(role, settings, $"{role}-{_processes.Count + 1}"));
    }

    private async Task<byte[]> ResultBytesAsync(EmbeddedFarm farm, JobRecord job)
    {
        var path = (await farm.Client.DownloadResultsAsync(job.Id, f => _dir.File($"{job.Id}-{f}.png")))[0];
        return await File.ReadAllBytesAsync(path);
    }

    private async Task<JobRecord> WaitForEndAsync(EmbeddedFarm farm, Guid id)
    {
        await WaitUntilAsync(async () => ((await farm.Store.GetJobAsync(id))!.State).IsFinal);
        return (await farm.Store.GetJobAsync(id))!;
    }

    /// <summary>Polls <paramref name="condition"/> for at most two minutes; on a timeout, fails with the processes' logs.</summary>
    private Task WaitUntilAsync(Func<Task<bool>> condition) => ProcessWait.UntilAsync(condition, _processes, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(20));

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        _dir.Dispose();
    }
}
