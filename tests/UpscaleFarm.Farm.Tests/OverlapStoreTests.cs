using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>The job store's side of overlapping stages, on SQLite and on PostgreSQL: tiles not yet cut, and frames leased to writers.</summary>
[Collection(FarmCollection.Name)]
public sealed class OverlapStoreTests(FarmServices services) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Tiles_not_yet_cut_are_claimed_only_once_marked_cut(string database)
    {
        using var store = await OpenAsync(database);
        var id = await AddUncutAsync(store, tiles: 4);

        Assert.Empty((await store.ClaimTilesAsync(window: 10)).Tiles);
        Assert.Equal((0, 0), await store.CountDispatchAsync());
        // Neither a restart's release nor the reconciler's release of unsent tiles touches them.
        Assert.Equal(0, await store.ReleaseAllTilesAsync());
        Assert.Equal(0, await store.ReleaseUnstartedTilesAsync(long.MaxValue));
        Assert.Equal(0, (await store.FindStalledAsync(long.MaxValue, 10)).Count);

        await store.MarkTilesCutAsync(id, 0, [1, 2]);
        await store.MarkTilesCutAsync(id, 0, [1, 2]); // a redelivered cut changes nothing
        Assert.Equal([1, 2], (await store.ClaimTilesAsync(window: 10)).Tiles.Select(t => t.Tile));
        Assert.Equal([0, 3], (await store.GetTilesAsync(id, 0)).Where(t => !t.Cut).Select(t => t.Tile));
        await store.MarkTilesCutAsync(id, 0, [0, 3]);
        Assert.Equal([0, 3], (await store.ClaimTilesAsync(window: 10)).Tiles.Select(t => t.Tile));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_frame_is_leased_to_one_writer_until_its_lease_ends(string database)
    {
        using var store = await OpenAsync(database);
        var id = await StoreJobs.AddPlannedAsync(store, tiles: 2);

        var leased = await store.LeaseNextFrameAsync("a", nowMs: 1000, leaseEndMs: 2000);
        Assert.Equal((id, 0, "a", 2000L), (leased!.JobId, leased.Frame, leased.Writer, leased.WriterUntilMs));
        Assert.Null(await store.LeaseNextFrameAsync("b", nowMs: 1500, leaseEndMs: 2500));
        Assert.False(await store.LeaseFrameAsync(id, 0, "b", nowMs: 1500, leaseEndMs: 2500));
        // Renewed by its holder, the lease holds on.
        Assert.True(await store.LeaseFrameAsync(id, 0, "a", nowMs: 1900, leaseEndMs: 3000));
        Assert.Null(await store.LeaseNextFrameAsync("b", nowMs: 2500, leaseEndMs: 3500));

        // Not renewed (its writer died), it ends, and another writer takes the frame; the first's renewal then fails.
        Assert.Equal("b", (await store.LeaseNextFrameAsync("b", nowMs: 3001, leaseEndMs: 4000))!.Writer);
        Assert.False(await store.LeaseFrameAsync(id, 0, "a", nowMs: 3002, leaseEndMs: 4000));
        // A release by a writer that no longer holds it changes nothing; by its holder, it frees the frame at once.
        await store.ReleaseFrameAsync(id, 0, "a");
        Assert.False(await store.LeaseFrameAsync(id, 0, "c", nowMs: 3003, leaseEndMs: 4000));
        await store.ReleaseFrameAsync(id, 0, "b");
        Assert.True(await store.LeaseFrameAsync(id, 0, "c", nowMs: 3004, leaseEndMs: 4000));

        // An assembled frame, or a frame of a job no longer running, is leased to no one.
        await store.ReleaseFrameAsync(id, 0, "c");
        await store.TransactAsync(changes => changes.CompleteFrameAsync(id, 0, "result", 3005));
        Assert.False(await store.LeaseFrameAsync(id, 0, "c", nowMs: 3006, leaseEndMs: 4000));
        var cancelled = await StoreJobs.AddPlannedAsync(store, tiles: 1);
        await store.TransactAsync(changes => changes.FinishJobAsync(cancelled, JobState.Cancelled, null, 3007));
        Assert.Null(await store.LeaseNextFrameAsync("c", nowMs: 3008, leaseEndMs: 4000));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Concurrent_writers_lease_each_frame_once(string database)
    {
        using var store = await OpenAsync(database);
        for (var i = 0; i < 6; i++)
            await StoreJobs.AddPlannedAsync(store, tiles: 1, createdMs: i);

        var leases = await Task.WhenAll(Enumerable.Range(0, 12).Select(w => Task.Run(() => store.LeaseNextFrameAsync($"w{w}", 1000, 2000))));
        var frames = leases.Where(f => f is not null).Select(f => f!.JobId).ToList();
        Assert.Equal(6, frames.Count);
        Assert.Equal(6, frames.Distinct().Count());
    }

    /// <summary>A running job of one frame whose <paramref name="tiles"/> tiles are recorded but not yet cut.</summary>
    private static async Task<Guid> AddUncutAsync(SqlJobStore store, int tiles)
    {
        var id = Guid.NewGuid();
        await store.TransactAsync(changes => changes.CreateJobAsync(new JobRecord { Id = id, Tenant = "t", Model = "m", FramesTotal = 1, CreatedMs = 1 },
            [new FrameSource($"t/{id:N}/0.png", "0.png")]));
        await store.StartJobAsync(id, 2);
        await store.SaveFramePlanAsync(new FrameRecord { JobId = id, Frame = 0, Width = 64, Height = 64, Scale = 4 },
            Enumerable.Range(0, tiles).Select(t => new TileRecord
            {
                JobId = id, Frame = 0, Tile = t, Pack = t, Geometry = new TileGeometry(0, 0, 8, 8, 0, 0, 8, 8), Cut = false,
            }).ToList());
        return id;
    }

    private Task<SqlJobStore> OpenAsync(string database) => services.OpenJobStoreAsync(database, _dir.File("farm.db"));

    public void Dispose() => _dir.Dispose();
}
