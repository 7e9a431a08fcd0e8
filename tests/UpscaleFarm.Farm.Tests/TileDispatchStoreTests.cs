using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>The job store's side of priority dispatch, on SQLite and on PostgreSQL.</summary>
[Collection(FarmCollection.Name)]
public sealed class TileDispatchStoreTests(FarmServices services) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Tiles_are_claimed_by_priority_then_age_within_the_window(string database)
    {
        using var store = await OpenAsync(database);
        var low = await StoreJobs.AddPlannedAsync(store, priority: 2, createdMs: 1000, tiles: 4);
        var high = await StoreJobs.AddPlannedAsync(store, priority: 8, createdMs: 2000, tiles: 3);
        var middle = await StoreJobs.AddPlannedAsync(store, priority: 5, createdMs: 3000, tiles: 2);

        var first = (await store.ClaimTilesAsync(window: 4)).Tiles;
        Assert.Equal([(high, 0), (high, 1), (high, 2), (middle, 0)], first.Select(t => (t.JobId, t.Tile)));
        // The window is full until a claimed tile is finished.
        Assert.Empty((await store.ClaimTilesAsync(window: 4)).Tiles);
        await store.TransactAsync(changes => changes.CompletePackAsync(high, 0, 0, "w", 1, 1));
        Assert.Equal([(middle, 1)], (await store.ClaimTilesAsync(window: 4)).Tiles.Select(t => (t.JobId, t.Tile)));

        // A cancelled job's claimed tiles stop counting against the window.
        await store.TransactAsync(changes => changes.FinishJobAsync(high, JobState.Cancelled, null, 5));
        Assert.Equal([0, 1], (await store.ClaimTilesAsync(window: 4)).Tiles.Select(t => t.Tile));

        // After a restart that lost the queue, every unfinished tile can be claimed again, in order.
        Assert.Equal(4, await store.ReleaseAllTilesAsync());
        Assert.Equal([(middle, 0), (middle, 1), (low, 0), (low, 1)],
            (await store.ClaimTilesAsync(window: 4)).Tiles.Select(t => (t.JobId, t.Tile)));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Concurrent_claims_hand_out_each_tile_once(string database)
    {
        using var store = await OpenAsync(database);
        var jobs = new List<Guid>();
        for (var i = 0; i < 4; i++)
            jobs.Add(await StoreJobs.AddPlannedAsync(store, priority: i, createdMs: i, tiles: 50));

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => (await store.ClaimTilesAsync(window: 1000)).Tiles)));
        var claimed = claims.SelectMany(c => c).Select(t => (t.JobId, t.Tile)).ToList();
        Assert.Equal(200, claimed.Count);
        Assert.Equal(200, claimed.Distinct().Count());
    }

    private Task<SqlJobStore> OpenAsync(string database) => services.OpenJobStoreAsync(database, _dir.File("farm.db"));

    public void Dispose() => _dir.Dispose();
}
