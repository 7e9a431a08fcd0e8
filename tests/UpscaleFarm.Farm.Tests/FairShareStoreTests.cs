using UpscaleFarm.Farm.Coordinator;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The job store's side of tenants sharing the farm, on SQLite and on PostgreSQL: within a priority each pack goes to the
/// tenant with the fewest packs in the queue per unit of weight, and the packs waiting for a worker are held to the bound
/// the dispatcher gives.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class FairShareStoreTests(FarmServices services) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Tenants_at_one_priority_take_the_queue_in_turn_by_weight(string database)
    {
        using var store = await OpenAsync(database);
        var large = await StoreJobs.AddPlannedAsync(store, tiles: 100, createdMs: 1000, tenant: "a");
        var later = await StoreJobs.AddPlannedAsync(store, tiles: 100, createdMs: 2000, tenant: "a");
        var small = await StoreJobs.AddPlannedAsync(store, tiles: 3, createdMs: 3000, tenant: "b");

        // Ages alone would give all 8 places to a's oldest job; shared, b takes its 3 and a the rest, from its oldest job.
        var claimed = (await store.ClaimTilesAsync(window: 8)).Tiles;
        Assert.Equal(3, claimed.Count(t => t.JobId == small));
        Assert.Equal(5, claimed.Count(t => t.JobId == large));
        Assert.DoesNotContain(claimed, t => t.JobId == later);

        // Weighted: c (weight 3) against a (weight 1, holding 5 places): c gets the new places until it holds 3 × 5, then they alternate.
        var weighted = await StoreJobs.AddPlannedAsync(store, tiles: 100, createdMs: 4000, tenant: "c", weight: 3);
        var next = (await store.ClaimTilesAsync(window: 8 + 15)).Tiles;
        Assert.All(next, t => Assert.Equal(weighted, t.JobId));
        Assert.Equal(15, next.Count);
        var after = (await store.ClaimTilesAsync(window: 8 + 15 + 4)).Tiles;
        Assert.Equal((1, 3), (after.Count(t => t.JobId == large), after.Count(t => t.JobId == weighted)));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_newcomer_takes_the_next_free_place_however_much_the_first_tenant_holds(string database)
    {
        using var store = await OpenAsync(database);
        var large = await StoreJobs.AddPlannedAsync(store, tiles: 50, createdMs: 1000, tenant: "a");
        Assert.Equal(10, (await store.ClaimTilesAsync(window: 10)).Tiles.Count);
        var small = await StoreJobs.AddPlannedAsync(store, tiles: 1, createdMs: 2000, tenant: "b");
        await store.TransactAsync(changes => changes.CompletePackAsync(large, 0, 0, "w", 1, 1));

        Assert.Equal([(small, 0)], (await store.ClaimTilesAsync(window: 10)).Tiles.Select(t => (t.JobId, t.Tile)));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Priorities_stay_strict_between_tenants(string database)
    {
        using var store = await OpenAsync(database);
        var urgent = await StoreJobs.AddPlannedAsync(store, tiles: 20, priority: 9, createdMs: 2000, tenant: "a");
        await StoreJobs.AddPlannedAsync(store, tiles: 20, priority: 5, createdMs: 1000, tenant: "b");
        Assert.All((await store.ClaimTilesAsync(window: 10)).Tiles, t => Assert.Equal(urgent, t.JobId));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Packs_waiting_for_a_worker_are_held_to_the_bound_and_started_ones_do_not_count(string database)
    {
        using var store = await OpenAsync(database);
        var job = await StoreJobs.AddPlannedAsync(store, tiles: 50, tenant: "a");
        var first = await store.ClaimTilesAsync(window: 100, maxQueued: 3);
        Assert.Equal([0, 1, 2], first.Tiles.Select(t => t.Tile));
        Assert.Equal(0, first.QueuedBefore);
        Assert.Empty((await store.ClaimTilesAsync(window: 100, maxQueued: 3)).Tiles);

        // Two are taken by a worker: two more may wait.
        Assert.True((await store.BeginPackAttemptAsync(job, 0, 0, "w", 10)).Proceed);
        Assert.True((await store.BeginPackAttemptAsync(job, 0, 1, "w", 10)).Proceed);
        var second = await store.ClaimTilesAsync(window: 100, maxQueued: 3);
        Assert.Equal([3, 4], second.Tiles.Select(t => t.Tile));
        Assert.Equal(1, second.QueuedBefore);
    }

    [Fact]
    public void The_pace_follows_the_packs_the_workers_take()
    {
        var pace = new DispatchPace(queueSeconds: 2, minQueued: 4);
        Assert.Equal(4, pace.MaxQueued);
        // Each second for 10 s the workers take 20 of the queued packs and the dispatcher tops them up.
        var queued = 0;
        for (var second = 0; second <= 10; second++)
        {
            queued = Math.Max(0, queued - 20);
            var claimed = pace.MaxQueued - queued;
            pace.Observe(TimeSpan.FromSeconds(second), queued, claimed);
            queued += claimed;
        }
        Assert.InRange(pace.PacksPerSecond, 15, 25);
        Assert.InRange(pace.MaxQueued, 30, 50);
        // The workers stop (a farm scaled in): the bound falls back towards the minimum over seconds.
        for (var second = 11; second <= 60; second++)
            pace.Observe(TimeSpan.FromSeconds(second), queued, 0);
        Assert.Equal(4, pace.MaxQueued);
    }

    private Task<SqlJobStore> OpenAsync(string database) => services.OpenJobStoreAsync(database, _dir.File("farm.db"));

    public void Dispose() => _dir.Dispose();
}
