using Microsoft.Extensions.Logging.Abstractions;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Outbox;
using UpscaleFarm.Farm.Telemetry;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>Jobs written straight into a job store, and its outbox read back, for tests of its queries.</summary>
internal static class StoreJobs
{
    /// <summary>
    /// A running job of one planned frame with <paramref name="tiles"/> pending 8×8 tiles; started 100 ms after <paramref name="createdMs"/>;
    /// a video job with <paramref name="videoKey"/>; each tile a pack of its own unless <paramref name="packs"/> gives each tile's pack;
    /// of <paramref name="tenant"/>, whose share weighs <paramref name="weight"/>. Written without messages: the outbox stays as it was.
    /// </summary>
    public static async Task<Guid> AddPlannedAsync(SqlJobStore store, int tiles, int priority = 5, long createdMs = 500, string? videoKey = null,
        int[]? packs = null, string tenant = "t", int weight = 1)
    {
        var id = Guid.NewGuid();
        await store.TransactAsync(changes => changes.CreateJobAsync(new JobRecord
            {
                Id = id, Tenant = tenant, Model = "m", Priority = priority, CreatedMs = createdMs, FramesTotal = 1, VideoKey = videoKey,
                Weight = weight,
            },
            [new FrameSource($"t/{id:N}/0.png", "0.png")]));
        await store.StartJobAsync(id, createdMs + 100);
        var frame = new FrameRecord { JobId = id, Frame = 0, State = FrameState.Planned, Width = 64, Height = 64, Scale = 4 };
        await store.SaveFramePlanAsync(frame, Enumerable.Range(0, tiles).Select(t => new TileRecord
        {
            JobId = id, Frame = 0, Tile = t, Pack = packs?[t] ?? t, Geometry = new TileGeometry(0, 0, 8, 8, 0, 0, 8, 8),
        }).ToList());
        return id;
    }

    /// <summary>The farm's <see cref="JobLifecycle"/> over <paramref name="store"/>; its relay wake-ups go nowhere.</summary>
    public static JobLifecycle Lifecycle(IJobStore store) =>
        new(store, new OutboxSignal(), new FarmDiagnostics(), NullLogger<JobLifecycle>.Instance);

    /// <summary>
    /// Counts one finished pack's tiles once, as the worker's TileCompleted does through <see cref="JobLifecycle.CompletePacksAsync"/>:
    /// the count that completes its frame announces the frame (FrameReady) in the same transaction.
    /// </summary>
    public static Task<TileCount> CompletePackAsync(IJobStore store, Guid jobId, int frame, int pack, string worker, long inferenceMs) =>
        store.TransactAsync(async changes =>
        {
            var now = Clock.NowMs;
            var count = await changes.CompletePackAsync(jobId, frame, pack, worker, inferenceMs, now);
            if (count.FrameComplete)
                await changes.EnqueueAsync(new FrameReady(jobId, frame), now);
            return count;
        });

    /// <summary>
    /// Every message waiting in the outbox, decoded, oldest first: claimed, whatever holds it, under a lease that ends at
    /// once, so the next look (or a relay) finds them again.
    /// </summary>
    public static async Task<List<object>> OutboxAsync(IJobStore store)
    {
        var messages = new List<object>();
        foreach (var row in await store.ClaimOutboxAsync("test-look", nowMs: long.MaxValue, leaseEndMs: 0, limit: 10_000))
        {
            Assert.True(OutboxCodec.TryDecode(row, out var message, out _), $"outbox row {row.Id} is a {row.MessageType}");
            messages.Add(message);
        }
        return messages;
    }
}
