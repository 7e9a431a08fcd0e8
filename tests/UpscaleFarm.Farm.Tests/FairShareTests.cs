using NetVips;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Imaging;
using UpscaleFarm.Testing;
using Xunit.Abstractions;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// Tenants share the farm: tenant b's one-tile job, submitted while tenant a's job of 1 024 tiles runs at the same
/// priority, is done within 3 s (its own planning, cut and assembly) + Coordinator:QueueSeconds (1 s) + 10 of a's tile
/// times, on the embedded farm and on RabbitMQ + PostgreSQL; before, it waited for every tile of a's job. A cancelled
/// job's tiles waiting for the model are dropped.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class FairShareTests(FarmServices services, ITestOutputHelper output) : IDisposable
{
    private const string Model = "general-x4v3";
    private static readonly JobRequest Large = new() { Tenant = "a", Model = Model, Options = new() { TileSize = 16, Halo = 8 } };
    private static readonly JobRequest Small = new() { Tenant = "b", Model = Model, Options = new() { TileSize = 16, Halo = 8 } };

    private readonly TempDirectory _dir = new();
    private readonly List<FarmProcess> _processes = [];

    [Fact]
    public async Task A_small_job_of_another_tenant_overtakes_a_large_one_on_the_embedded_farm()
    {
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.RealDirectory,
            // Every tile a message of its own, as GPU-sized tiles are: 1 024 of them.
            ["Farm:Coordinator:PackPixels"] = "0",
        });
        await AssertSmallJobOvertakesAsync(farm);
    }

    [Fact]
    public async Task A_small_job_of_another_tenant_overtakes_a_large_one_on_the_distributed_farm()
    {
        var name = $"uf_{Guid.NewGuid():N}"[..20];
        var settings = services.NewFarm(name, TestModels.RealDirectory, _dir.File("farm"));
        settings["Farm:Coordinator:PackPixels"] = "0";
        _processes.AddRange(await Task.WhenAll(new[] { "coordinator", "worker", "assembler" }
            .Select((role, i) => FarmProcess.StartAsync(role, settings, $"{role}-{i + 1}"))));
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        await AssertSmallJobOvertakesAsync(client);
    }

    /// <summary>
    /// A worker holding 8 packs at a time, one in the model: on cancel, the 7 waiting for the model are dropped, not run
    /// (before, every pack it held was upscaled, written and counted).
    /// </summary>
    [Fact]
    public async Task A_cancelled_jobs_tiles_waiting_for_the_model_are_dropped()
    {
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.RealDirectory,
            ["Farm:Coordinator:PackPixels"] = "0",
            ["Farm:Worker:ConcurrentTiles"] = "8",
        });
        var id = await farm.Client.SubmitAsync([RepoPaths.SharedImage("astronaut.png")], Large with { Options = Large.Options with { TileSize = 32 } });
        await WaitUntilAsync(async () => (await farm.Store.GetJobAsync(id))!.TilesDone >= 10);

        Assert.True(await farm.Client.CancelAsync(id));
        var atCancel = (await farm.Store.GetJobAsync(id))!.TilesDone;
        await Task.Delay(TimeSpan.FromSeconds(3));

        // The pack in the model when the cancel came (and one whose result was being written) may still be counted.
        var after = (await farm.Store.GetJobAsync(id))!.TilesDone;
        output.WriteLine($"{after - atCancel} tiles counted after the cancel");
        Assert.InRange(after - atCancel, 0, 2);
        Assert.Equal(JobState.Cancelled, (await farm.Store.GetJobAsync(id))!.State);
    }

    private async Task AssertSmallJobOvertakesAsync(EmbeddedFarm farm)
    {
        // b's job alone first, for the record: what it takes on an idle farm.
        var alone = await farm.Client.WaitAsync(await farm.Client.SubmitAsync([SmallImage()], Small), cancellation: new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
        EmbeddedFarmTests.AssertCompleted(alone);
        var large = await farm.Client.SubmitAsync([RepoPaths.SharedImage("astronaut.png")], Large);
        // Under way, at its own pace: a's tile time is measured over its next 20 tiles.
        await WaitUntilAsync(async () => (await farm.Store.GetJobAsync(large))!.TilesDone >= 20);
        var paceFrom = ((await farm.Store.GetJobAsync(large))!.TilesDone, System.Diagnostics.Stopwatch.StartNew());
        await WaitUntilAsync(async () => (await farm.Store.GetJobAsync(large))!.TilesDone >= paceFrom.TilesDone + 20);
        var tileTime = paceFrom.Item2.Elapsed / ((await farm.Store.GetJobAsync(large))!.TilesDone - paceFrom.TilesDone);

        var small = await farm.Client.SubmitAsync([SmallImage()], Small);
        var smallJob = await farm.Client.WaitAsync(small, cancellation: new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
        var largeJob = (await farm.Store.GetJobAsync(large))!;
        try
        {
            EmbeddedFarmTests.AssertCompleted(smallJob);
            Assert.Equal(1, smallJob.TilesTotal);
            var waited = TimeSpan.FromMilliseconds(smallJob.FinishedMs!.Value - smallJob.CreatedMs);
            var bound = TimeSpan.FromSeconds(3 + 1) + 10 * tileTime;
            output.WriteLine($"b's one-tile job took {waited.TotalSeconds:0.00} s beside a's, {(alone.FinishedMs!.Value - alone.CreatedMs) / 1000.0:0.00} s alone " +
                $"(bound {bound.TotalSeconds:0.0} s; a's tile time {tileTime.TotalMilliseconds:0} ms; a had {largeJob.TilesTotal - largeJob.TilesDone} tiles left)");
            Assert.True(waited <= bound, $"b's one-tile job took {waited.TotalSeconds:0.0} s, over {bound.TotalSeconds:0.0} s (a's tile time {tileTime.TotalMilliseconds:0} ms)");
            // Meaningful only while a still had work: far more than b waited.
            Assert.True(largeJob.State == JobState.Running && largeJob.TilesTotal - largeJob.TilesDone > 100,
                $"a's job was {largeJob.State} with {largeJob.TilesTotal - largeJob.TilesDone} tiles left: too little to show anything");
        }
        finally
        {
            await farm.Client.CancelAsync(large);
        }
    }

    /// <summary>A 16×16 image: one tile of 16.</summary>
    private string SmallImage()
    {
        var path = _dir.File("small.png");
        VipsSetup.EnsureConfigured();
        using var source = Image.NewFromFile(RepoPaths.SharedImage("chelsea.png"));
        using var crop = source.Crop(100, 100, 16, 16);
        crop.Pngsave(path);
        return path;
    }

    private Task WaitUntilAsync(Func<Task<bool>> condition) => ProcessWait.UntilAsync(condition, _processes, TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(50));

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        _dir.Dispose();
    }
}
