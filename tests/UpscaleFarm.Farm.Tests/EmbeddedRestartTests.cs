using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The embedded farm stopped mid-job and started again on the same data directory: its in-memory
/// queues are gone, so the job store is what resumes the job, keeping the tiles already finished.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class EmbeddedRestartTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Restarted_farm_finishes_the_job_without_redoing_finished_tiles()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.RealDirectory,
            ["Farm:Worker:ConcurrentTiles"] = "1",
        };
        var request = new JobRequest { Model = "general-x4v3", Options = new() { TileSize = 64, Halo = 8 } };
        Guid id;
        int doneBeforeRestart;
        await using (var first = await EmbeddedFarm.StartAsync(settings))
        {
            id = await first.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], request);
            while ((await first.Store.GetJobAsync(id))!.TilesDone < 10)
                await Task.Delay(50);
        }
        await using var second = await EmbeddedFarm.StartAsync(settings);
        var before = (await second.Store.GetTilesAsync(id, 0)).Where(t => t.State == TileState.Done).ToDictionary(t => t.Tile, t => t.FinishedMs);
        doneBeforeRestart = before.Count;
        Assert.InRange(doneBeforeRestart, 10, 69);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var job = await second.Client.WaitAsync(id, cancellation: timeout.Token);

        EmbeddedFarmTests.AssertCompleted(job);
        Assert.Equal(70, job.TilesDone);
        var tiles = await second.Store.GetTilesAsync(id, 0);
        // Tiles finished before the restart were neither run nor counted again.
        Assert.All(tiles.Where(t => before.ContainsKey(t.Tile)), t => Assert.Equal(before[t.Tile], t.FinishedMs));
        Assert.All(tiles.Where(t => before.ContainsKey(t.Tile)), t => Assert.Equal(1, t.Attempts));
        var result = (await second.Client.DownloadResultsAsync(id, f => _dir.File($"result-{f}.png")))[0];
        var reference = ReferenceUpscale.Run(TestModels.RealDirectory, "general-x4v3", RepoPaths.SharedImage("rocket.jpg"), _dir.File("engine.png"), 64, 8);
        Assert.Equal(reference, await File.ReadAllBytesAsync(result));
    }

    public void Dispose() => _dir.Dispose();
}
