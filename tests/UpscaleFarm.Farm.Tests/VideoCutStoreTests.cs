using UpscaleFarm.Testing;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// A video job in the job store, on SQLite and on PostgreSQL: made without frames, with its video to cut and its
/// JobSubmitted in one commit; its cut's frames recorded once (a redelivered cut changes nothing), with the job's
/// frame count and a JobSubmitted that has them planned, and its reservation raised, never lowered; a job that ended
/// meanwhile gets no frames; a cut leased to one coordinator at a time.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class VideoCutStoreTests(FarmServices services) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_video_jobs_frames_are_recorded_once_when_its_video_is_cut(string database)
    {
        using var store = await OpenAsync(database);
        var lifecycle = StoreJobs.Lifecycle(store);
        var id = Guid.NewGuid();
        var cut = new VideoCut(id, $"t/{id:N}/video/source.mp4", "clip.mp4", MuxResult: true, MaxFrames: 100, MaxPixels: 1 << 20, MaxDecodedBytes: 1 << 30,
            MaxVideoBytes: 1 << 28);
        await lifecycle.CreateVideoAsync(new JobRecord { Id = id, Tenant = "t", Model = "m", CreatedMs = 1000, ReservedBytes = 5000 }, cut);

        Assert.Equal(cut, await store.GetVideoCutAsync(id));
        Assert.Empty(await store.GetFramesAsync(id));
        var submitted = Assert.IsType<JobSubmitted>(Assert.Single(await StoreJobs.OutboxAsync(store)));
        Assert.Equal((id, 0), (submitted.JobId, submitted.Frames));
        FrameSource[] frames = [new($"t/{id:N}/source/0.png", "clip-000000.png"), new($"t/{id:N}/source/1.png", "clip-000001.png")];

        // Not before the coordinator has started the job.
        Assert.False(await lifecycle.RecordVideoFramesAsync((await store.GetJobAsync(id))!, frames, 9000));
        await store.StartJobAsync(id, 1100);
        var started = (await store.GetJobAsync(id))!;
        Assert.True(await lifecycle.RecordVideoFramesAsync(started, frames, 9000));
        Assert.False(await lifecycle.RecordVideoFramesAsync(started, frames, 20_000));

        Assert.Null(await store.GetVideoCutAsync(id));
        // Beside the JobSubmitted that starts the job, the one recorded with the frames has them planned, once.
        var outbox = await StoreJobs.OutboxAsync(store);
        Assert.Equal([(id, 0), (id, 2)], outbox.Cast<JobSubmitted>().Select(m => (m.JobId, m.Frames)));
        Assert.Equal(frames.Select(f => (f.Key, f.Name, FrameState.Pending)), (await store.GetFramesAsync(id)).Select(f => (f.SourceKey, f.Name, f.State)));
        var job = (await store.GetJobAsync(id))!;
        Assert.Equal((2, 9000L), (job.FramesTotal, job.ReservedBytes));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_cut_keeps_the_larger_reservation_and_a_cancelled_job_gets_no_frames(string database)
    {
        using var store = await OpenAsync(database);
        var lifecycle = StoreJobs.Lifecycle(store);
        var (kept, cancelled) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var id in (Guid[])[kept, cancelled])
        {
            await lifecycle.CreateVideoAsync(new JobRecord { Id = id, Tenant = "t", Model = "m", CreatedMs = 1000, ReservedBytes = 5000 },
                new VideoCut(id, $"t/{id:N}/video/source.mkv", "v.mkv", MuxResult: false, 10, 100, 1000, 2000));
            await store.StartJobAsync(id, 1100);
        }
        Assert.True(await lifecycle.CancelAsync(cancelled));
        FrameSource[] frame = [new("t/0.png", "v-000000.png")];

        Assert.True(await lifecycle.RecordVideoFramesAsync((await store.GetJobAsync(kept))!, frame, 100));
        Assert.False(await lifecycle.RecordVideoFramesAsync((await store.GetJobAsync(cancelled))!, frame, 100));

        Assert.Equal(5000, (await store.GetJobAsync(kept))!.ReservedBytes);
        Assert.Empty(await store.GetFramesAsync(cancelled));
        Assert.Equal(0, (await store.GetJobAsync(cancelled))!.FramesTotal);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_cut_is_leased_to_one_coordinator_until_its_lease_runs_out_or_is_given_up(string database)
    {
        using var store = await OpenAsync(database);
        var lifecycle = StoreJobs.Lifecycle(store);
        var (running, queued, ended) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        foreach (var (id, priority) in ((Guid, int)[])[(running, 3), (queued, 5), (ended, 5)])
            await lifecycle.CreateVideoAsync(new JobRecord { Id = id, Tenant = "t", Model = "m", CreatedMs = 1000, Priority = priority },
                new VideoCut(id, $"t/{id:N}/video/source.mkv", "v.mkv", MuxResult: false, 10, 100, 1000, 2000));
        await store.StartJobAsync(running, 1100);
        await store.StartJobAsync(ended, 1100);
        await lifecycle.CancelAsync(ended);

        // Only a running job's cut is listed: a queued job's waits for its start, an ended job's is never cut.
        var listed = Assert.Single(await store.ListVideoCutsAsync());
        Assert.Equal((running, "t", 3, 1000L, (string?)null, 0L), (listed.JobId, listed.Tenant, listed.Priority, listed.CreatedMs, listed.Cutter, listed.LeaseUntilMs));

        Assert.True(await store.LeaseVideoCutAsync(running, "a", nowMs: 2000, untilMs: 5000));
        Assert.False(await store.LeaseVideoCutAsync(running, "b", nowMs: 4999, untilMs: 8000));
        Assert.True(await store.LeaseVideoCutAsync(running, "a", nowMs: 4000, untilMs: 7000)); // renewed by its holder
        Assert.Equal(("a", 7000L), ((await store.ListVideoCutsAsync())[0].Cutter, (await store.ListVideoCutsAsync())[0].LeaseUntilMs));
        // Run out: anyone's, and the old holder's renewal then fails, so it stops.
        Assert.True(await store.LeaseVideoCutAsync(running, "b", nowMs: 7000, untilMs: 9000));
        Assert.False(await store.LeaseVideoCutAsync(running, "a", nowMs: 7500, untilMs: 9500));
        // Given up by someone else: nothing; by its holder: free at once.
        await store.ReleaseVideoCutAsync(running, "a");
        Assert.False(await store.LeaseVideoCutAsync(running, "c", nowMs: 7600, untilMs: 9600));
        await store.ReleaseVideoCutAsync(running, "b");
        Assert.True(await store.LeaseVideoCutAsync(running, "c", nowMs: 7600, untilMs: 9600));

        // Recorded, the cut is gone: no lease to take.
        Assert.True(await lifecycle.RecordVideoFramesAsync((await store.GetJobAsync(running))!, [new("t/0.png", "v-000000.png")], 0));
        Assert.False(await store.LeaseVideoCutAsync(running, "c", nowMs: 7700, untilMs: 9700));
        Assert.Empty(await store.ListVideoCutsAsync());
    }

    public void Dispose() => _dir.Dispose();

    private Task<SqlJobStore> OpenAsync(string database) => services.OpenJobStoreAsync(database, _dir.File("farm.db"));
}
