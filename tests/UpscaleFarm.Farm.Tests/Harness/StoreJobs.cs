using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>Jobs written straight into a job store, for tests of its queries.</summary>
internal static class StoreJobs
{
    /// <summary>A running job of one planned frame with <paramref name="tiles"/> pending 8×8 tiles; started 100 ms after <paramref name="createdMs"/>.</summary>
    public static async Task<Guid> AddPlannedAsync(SqlJobStore store, int tiles, int priority = 5, long createdMs = 500)
    {
        var id = Guid.NewGuid();
        await store.TransactAsync(changes => changes.CreateJobAsync(new JobRecord { Id = id.ToString("N"), Tenant = "t", Model = "m", Priority = priority, CreatedMs = createdMs, FramesTotal = 1 },
            [new FrameSource($"t/{id:N}/0.png", "0.png")]));
        await store.StartJobAsync(id, createdMs + 100);
        var frame = new FrameRecord { JobId = id.ToString("N"), Frame = 0, State = FrameState.Planned, Width = 64, Height = 64, Scale = 4 };
        await store.SaveFramePlanAsync(frame, Enumerable.Range(0, tiles).Select(t => new TileRecord
        {
            JobId = id.ToString("N"), Frame = 0, Tile = t, InputWidth = 8, InputHeight = 8, CoreWidth = 8, CoreHeight = 8,
        }).ToList());
        return id;
    }
}
