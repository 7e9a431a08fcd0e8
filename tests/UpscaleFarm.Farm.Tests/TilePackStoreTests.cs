using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>Packs of tiles in the job store, on SQLite and on PostgreSQL: claimed, attempted, failed and counted whole.</summary>
[Collection(FarmCollection.Name)]
public sealed class TilePackStoreTests(FarmServices services) : IDisposable
{
    private static readonly int[] Packs = [0, 0, 0, 3, 3, 5];
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task The_window_counts_packs_and_a_pack_is_claimed_whole(string database)
    {
        using var store = await services.OpenJobStoreAsync(database, _dir.File("farm.db"));
        var id = await StoreJobs.AddPlannedAsync(store, tiles: 6, packs: Packs);

        // A window of one pack claims all 3 tiles of the first, in order; it is then full.
        Assert.Equal([(0, 0), (1, 0), (2, 0)], (await store.ClaimTilesAsync(window: 1)).Tiles.Select(t => (t.Tile, t.Pack)));
        Assert.Empty((await store.ClaimTilesAsync(window: 1)).Tiles);
        Assert.Equal([(3, 3), (4, 3)], (await store.ClaimTilesAsync(window: 2)).Tiles.Select(t => (t.Tile, t.Pack)));
        Assert.Equal([(5, 5)], (await store.ClaimTilesAsync(window: 10)).Tiles.Select(t => (t.Tile, t.Pack)));
        Assert.Equal((6, 0), await store.CountDispatchAsync());
        Assert.Equal(6, (await store.GetTilesAsync(id, 0)).Count(t => t.State == TileState.Pending));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Attempts_errors_and_completions_count_every_tile_of_the_pack(string database)
    {
        using var store = await services.OpenJobStoreAsync(database, _dir.File("farm.db"));
        var id = await StoreJobs.AddPlannedAsync(store, tiles: 6, packs: Packs);

        Assert.Equal(new TileAttempt(true, 1, null), await store.BeginPackAttemptAsync(id, 0, 3, "w", 1000));
        await store.RecordPackErrorAsync(id, 0, 3, "it broke");
        Assert.Equal(new TileAttempt(true, 2, "it broke"), await store.BeginPackAttemptAsync(id, 0, 3, "w", 1001));
        var tiles = await store.GetTilesAsync(id, 0);
        Assert.Equal([0, 0, 0, 2, 2, 0], tiles.Select(t => t.Attempts));
        Assert.Equal([null, null, null, "it broke", "it broke", null], tiles.Select(t => t.LastError));

        Assert.Equal(new TileCount(true, false), await StoreJobs.CompletePackAsync(store, id, 0, 3, "w", 5));
        Assert.Equal(new TileCount(false, false), await StoreJobs.CompletePackAsync(store, id, 0, 3, "w", 5)); // redelivered: counted once
        Assert.Equal(2, (await store.GetFrameAsync(id, 0))!.TilesDone);
        Assert.Equal(2, (await store.GetJobAsync(id))!.TilesDone);
        Assert.Equal([3], await store.GetDonePacksAsync(id, 0, [0, 3, 5]));
        // A done pack is not attempted again.
        Assert.False((await store.BeginPackAttemptAsync(id, 0, 3, "w", 1002)).Proceed);

        Assert.Equal(new TileCount(true, false), await StoreJobs.CompletePackAsync(store, id, 0, 0, "w", 5));
        Assert.Equal(new TileCount(true, true), await StoreJobs.CompletePackAsync(store, id, 0, 5, "w", 5));
        Assert.Equal(6, (await store.GetFrameAsync(id, 0))!.TilesDone);
        Assert.Equal([0, 3, 5], (await store.GetDonePacksAsync(id, 0, [0, 3, 5])).Order());
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_batch_of_completions_counts_each_pack_once_and_announces_the_frames_it_completes(string database)
    {
        using var store = await services.OpenJobStoreAsync(database, _dir.File("farm.db"));
        var first = await StoreJobs.AddPlannedAsync(store, tiles: 6, packs: Packs);
        var second = await StoreJobs.AddPlannedAsync(store, tiles: 2, packs: [0, 0]);
        var lifecycle = StoreJobs.Lifecycle(store);

        // Two of the first job's packs, one reported twice, and the second job's only pack (which completes its frame).
        await lifecycle.CompletePacksAsync([new(first, 0, 3, "w", 5), new(second, 0, 0, "w", 5), new(first, 0, 0, "w", 5), new(first, 0, 3, "w", 5)]);
        Assert.Equal(5, (await store.GetFrameAsync(first, 0))!.TilesDone);
        Assert.Equal(5, (await store.GetJobAsync(first))!.TilesDone);
        Assert.Equal(2, (await store.GetJobAsync(second))!.TilesDone);
        Assert.Equal([new FrameReady(second, 0)], (await StoreJobs.OutboxAsync(store)).OfType<FrameReady>());

        // The rest, with a repeat of what was counted: the first job's frame completes, announced once.
        await lifecycle.CompletePacksAsync([new(first, 0, 5, "w", 5), new(first, 0, 0, "w", 5), new(second, 0, 0, "w", 5)]);
        Assert.Equal(6, (await store.GetJobAsync(first))!.TilesDone);
        Assert.Equal(2, (await store.GetJobAsync(second))!.TilesDone);
        Assert.Equal([new FrameReady(second, 0), new FrameReady(first, 0)], (await StoreJobs.OutboxAsync(store)).OfType<FrameReady>());
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Concurrent_claims_take_each_pack_once_and_whole(string database)
    {
        using var store = await services.OpenJobStoreAsync(database, _dir.File("farm.db"));
        var packs = Enumerable.Range(0, 40).Select(t => t / 4 * 4).ToArray();
        await StoreJobs.AddPlannedAsync(store, tiles: 40, packs: packs);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => (await store.ClaimTilesAsync(window: 2)).Tiles)));
        var claimed = claims.SelectMany(c => c).ToList();
        Assert.Equal(claimed.Count, claimed.Select(t => t.Tile).Distinct().Count());
        // Whatever each claim took, it took whole packs.
        Assert.All(claims, c => Assert.All(c.GroupBy(t => t.Pack), pack => Assert.Equal(4, pack.Count())));
    }

    public void Dispose() => _dir.Dispose();
}
