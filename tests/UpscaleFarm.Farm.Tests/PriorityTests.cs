using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>Job priority end to end on the embedded farm: the dispatcher, not the queue, decides the order.</summary>
[Collection(FarmCollection.Name)]
public sealed class PriorityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_high_priority_job_overtakes_the_planned_tiles_of_an_earlier_low_priority_job()
    {
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.RealDirectory,
            ["Farm:Worker:ConcurrentTiles"] = "1",
            ["Farm:Coordinator:DispatchWindow"] = "2",
        });
        var low = await farm.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")],
            new JobRequest { Model = "general-x4v3", Priority = 1, Options = new() { TileSize = 64, Halo = 8 } });
        while ((await farm.Store.GetJobAsync(low))!.TilesDone < 3)
            await Task.Delay(20);
        var high = await farm.Client.SubmitAsync([RepoPaths.SharedImage("chelsea.png")],
            new JobRequest { Model = "general-x4v3", Priority = 9, Options = new() { TileSize = 128, Halo = 8 } });

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var highJob = await farm.Client.WaitAsync(high, cancellation: timeout.Token);
        var lowJob = await farm.Client.WaitAsync(low, cancellation: timeout.Token);
        EmbeddedFarmTests.AssertCompleted(highJob);
        EmbeddedFarmTests.AssertCompleted(lowJob);

        // In submission order (one FIFO queue) the high job would wait for all 70 low tiles. Dispatched by
        // priority, it waits for at most the window's 2 tiles plus the one being run, and most of the low
        // job's tiles run after it.
        var highLast = (await farm.Store.GetTilesAsync(high, 0)).Max(t => t.FinishedMs!.Value);
        var lowTiles = await farm.Store.GetTilesAsync(low, 0);
        Assert.Equal(70, lowTiles.Count);
        var lowAfterHigh = lowTiles.Count(t => t.FinishedMs > highLast);
        Assert.True(lowAfterHigh >= 40, $"only {lowAfterHigh} of the low job's 70 tiles ran after the high job's last tile");
        Assert.True(highJob.FinishedMs < lowJob.FinishedMs);
    }

    public void Dispose() => _dir.Dispose();
}
