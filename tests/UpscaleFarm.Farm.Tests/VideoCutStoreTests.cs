using UpscaleFarm.Testing;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// A video job in the job store, on SQLite and on PostgreSQL: made without frames, with its video to cut and its
/// JobSubmitted in one commit; its cut's frames recorded once (a redelivered cut changes nothing), with the job's
/// frame count, and its reservation raised, never lowered; a job that ended meanwhile gets no frames.
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
        var cut = new VideoCut(id, $"t/{id:N}/video/source.mp4", "clip.mp4", MuxResult: true, MaxFrames: 100, MaxPixels: 1 << 20, MaxDecodedBytes: 1 << 30);
        await lifecycle.CreateVideoAsync(new JobRecord { Id = id, Tenant = "t", Model = "m", CreatedMs = 1000, ReservedBytes = 5000 }, cut);

        Assert.Equal(cut, await store.GetVideoCutAsync(id));
        Assert.Empty(await store.GetFramesAsync(id));
        var submitted = Assert.IsType<JobSubmitted>(Assert.Single(await StoreJobs.OutboxAsync(store)));
        Assert.Equal((id, 0), (submitted.JobId, submitted.Frames));
        FrameSource[] frames = [new($"t/{id:N}/source/0.png", "clip-000000.png"), new($"t/{id:N}/source/1.png", "clip-000001.png")];

        // Not before the coordinator has started the job.
        Assert.False(await store.RecordVideoFramesAsync(id, frames, 9000));
        await store.StartJobAsync(id, 1100);
        Assert.True(await store.RecordVideoFramesAsync(id, frames, 9000));
        Assert.False(await store.RecordVideoFramesAsync(id, frames, 20_000));

        Assert.Null(await store.GetVideoCutAsync(id));
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
                new VideoCut(id, $"t/{id:N}/video/source.mkv", "v.mkv", MuxResult: false, 10, 100, 1000));
            await store.StartJobAsync(id, 1100);
        }
        Assert.True(await lifecycle.CancelAsync(cancelled));
        FrameSource[] frame = [new("t/0.png", "v-000000.png")];

        Assert.True(await store.RecordVideoFramesAsync(kept, frame, 100));
        Assert.False(await store.RecordVideoFramesAsync(cancelled, frame, 100));

        Assert.Equal(5000, (await store.GetJobAsync(kept))!.ReservedBytes);
        Assert.Empty(await store.GetFramesAsync(cancelled));
        Assert.Equal(0, (await store.GetJobAsync(cancelled))!.FramesTotal);
    }

    public void Dispose() => _dir.Dispose();

    private Task<SqlJobStore> OpenAsync(string database) => services.OpenJobStoreAsync(database, _dir.File("farm.db"));
}
