using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The reconciler's query, on SQLite and on PostgreSQL: each kind of stalled work is found once it is old enough, and only then.
/// The state is written without its messages, as a crash window of a build before the outbox left it.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class StalledWorkStoreTests(FarmServices services) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Stalled_jobs_and_frames_are_found_after_the_cutoff_only(string database)
    {
        using var store = await services.OpenJobStoreAsync(database, _dir.File("farm.db"));
        // Never started.
        var queued = Guid.NewGuid();
        await store.TransactAsync(changes => changes.CreateJobAsync(new JobRecord { Id = queued, Tenant = "t", Model = "m", CreatedMs = 1000, FramesTotal = 1 },
            [new FrameSource($"t/{queued:N}/0.png", "0.png")]));
        // Both tiles done at 2000 ms, the frame never assembled.
        var counted = await StoreJobs.AddPlannedAsync(store, tiles: 2);
        await store.TransactAsync(changes => changes.CompletePackAsync(counted, 0, 0, "w", 1, 2000));
        await store.TransactAsync(changes => changes.CompletePackAsync(counted, 0, 1, "w", 1, 2000));
        // Its one frame assembled at 3000 ms, the job never completed.
        var assembled = await StoreJobs.AddPlannedAsync(store, tiles: 1);
        await store.TransactAsync(changes => changes.CompletePackAsync(assembled, 0, 0, "w", 1, 2500));
        await store.TransactAsync(changes => changes.CompleteFrameAsync(assembled, 0, "result", 3000));
        // Still working: one of its tiles is pending.
        var working = await StoreJobs.AddPlannedAsync(store, tiles: 2);
        await store.TransactAsync(changes => changes.CompletePackAsync(working, 0, 0, "w", 1, 2000));

        var early = await store.FindStalledAsync(beforeMs: 900, limit: 100);
        Assert.Equal(0, early.Count);
        var late = await store.FindStalledAsync(beforeMs: 10_000, limit: 100);
        Assert.Equal([queued], late.QueuedJobs);
        Assert.Equal([(counted, 0)], late.CompleteFrames);
        Assert.Equal([assembled], late.AssembledJobs);
        // Between: the frame's tiles are old enough, the assembly is not.
        var between = await store.FindStalledAsync(beforeMs: 2800, limit: 100);
        Assert.Equal([queued], between.QueuedJobs);
        Assert.Equal([(counted, 0)], between.CompleteFrames);
        Assert.Empty(between.AssembledJobs);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Tiles_claimed_but_never_started_are_released_once_stale(string database)
    {
        using var store = await services.OpenJobStoreAsync(database, _dir.File("farm.db"));
        var job = await StoreJobs.AddPlannedAsync(store, tiles: 3);
        var claimed = (await store.ClaimTilesAsync(window: 10)).Tiles;
        Assert.Equal(3, claimed.Count);
        // A worker took tile 0; tiles 1 and 2 were never sent.
        Assert.True((await store.BeginPackAttemptAsync(job, 0, 0, "w", Clock.NowMs)).Proceed);

        Assert.Equal(0, await store.ReleaseUnstartedTilesAsync(claimedBeforeMs: Clock.NowMs - 60_000));
        Assert.Empty((await store.ClaimTilesAsync(window: 10)).Tiles);
        Assert.Equal(2, await store.ReleaseUnstartedTilesAsync(claimedBeforeMs: Clock.NowMs + 1000));
        Assert.Equal([1, 2], (await store.ClaimTilesAsync(window: 10)).Tiles.Select(t => t.Tile).Order());
    }

    public void Dispose() => _dir.Dispose();
}
