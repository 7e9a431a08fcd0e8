using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The outbox, on SQLite and on PostgreSQL: each transition of the job lifecycle commits its message with it (or
/// neither commits), a repeated transition writes no second message, and relays claiming at once get each message once.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class OutboxStoreTests(FarmServices services) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_change_and_its_message_commit_together_or_not_at_all(string database)
    {
        using var store = await OpenAsync(database);
        var lifecycle = StoreJobs.Lifecycle(store);
        var id = Guid.NewGuid();
        await lifecycle.CreateAsync(new JobRecord { Id = id, Tenant = "t", Model = "m", CreatedMs = 1000, FramesTotal = 2 },
            [new FrameSource($"t/{id:N}/0.png", "0.png"), new FrameSource($"t/{id:N}/1.png", "1.png")]);

        Assert.Equal(JobState.Queued, (await store.GetJobAsync(id))!.State);
        var submitted = Assert.IsType<JobSubmitted>(Assert.Single(await StoreJobs.OutboxAsync(store)));
        Assert.Equal((id, "t", 2), (submitted.JobId, submitted.Tenant, submitted.Frames));

        // A step that dies after its change and its message, before its commit, leaves neither.
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.TransactAsync(async changes =>
        {
            Assert.True(await changes.FinishJobAsync(id, JobState.Failed, "never", 2000));
            await changes.EnqueueAsync(new JobFailed(id, "never", DateTimeOffset.UtcNow), 2000);
            throw new InvalidOperationException("the process dies before the commit");
        }));
        Assert.Equal(JobState.Queued, (await store.GetJobAsync(id))!.State);
        Assert.IsType<JobSubmitted>(Assert.Single(await StoreJobs.OutboxAsync(store)));

        // A message the outbox does not carry is refused when it is written, not when a relay meets it.
        await Assert.ThrowsAsync<ArgumentException>(() => store.TransactAsync(changes => changes.EnqueueAsync(new PlanFrame(id, 0), 3000)));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_repeated_transition_writes_no_second_message(string database)
    {
        using var store = await OpenAsync(database);
        var lifecycle = StoreJobs.Lifecycle(store);
        var id = await StoreJobs.AddPlannedAsync(store, tiles: 2);
        var job = (await store.GetJobAsync(id))!;

        Assert.False((await StoreJobs.CompletePackAsync(store, id, 0, 0, "w", 1)).FrameComplete);
        Assert.Empty(await StoreJobs.OutboxAsync(store));
        Assert.True((await StoreJobs.CompletePackAsync(store, id, 0, 1, "w", 1)).FrameComplete);
        // TileCompleted redelivered: nothing is counted, nothing announced.
        Assert.Equal(new TileCount(false, false), await StoreJobs.CompletePackAsync(store, id, 0, 1, "w", 1));
        Assert.Equal([new FrameReady(id, 0)], await StoreJobs.OutboxAsync(store));

        // The last frame completes the job in the same commit; FrameReady redelivered assembles it again, and completes nothing.
        Assert.True(await lifecycle.CompleteFrameAsync(job, 0, $"t/{id:N}/result-0.png"));
        Assert.False(await lifecycle.CompleteFrameAsync(job, 0, $"t/{id:N}/result-0.png"));
        Assert.Equal(JobState.Completed, (await store.GetJobAsync(id))!.State);
        // A completed job neither fails nor is cancelled.
        Assert.False(await lifecycle.FailAsync(id, "too late"));
        Assert.False(await lifecycle.CancelAsync(id));
        // The reconciler finding it again (it looks only at running jobs, but may race the commit) completes nothing.
        await lifecycle.CompleteAssembledJobAsync(job);

        var messages = await StoreJobs.OutboxAsync(store);
        Assert.Equal(2, messages.Count);
        Assert.Contains(new FrameReady(id, 0), messages);
        var completed = Assert.Single(messages.OfType<JobCompleted>());
        Assert.Equal(id, completed.JobId);
        Assert.Equal([$"t/{id:N}/result-0.png"], completed.ResultKeys);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_video_job_goes_on_to_its_mux_and_the_mux_completes_it_once(string database)
    {
        using var store = await OpenAsync(database);
        var lifecycle = StoreJobs.Lifecycle(store);
        var id = await StoreJobs.AddPlannedAsync(store, tiles: 1, videoKey: "t/video/source.mp4");
        var job = (await store.GetJobAsync(id))!;
        await StoreJobs.CompletePackAsync(store, id, 0, 0, "w", 1);

        Assert.True(await lifecycle.CompleteFrameAsync(job, 0, "t/video/0.png"));
        Assert.Equal(JobState.Running, (await store.GetJobAsync(id))!.State);
        Assert.True(await lifecycle.CompleteVideoAsync(id, "t/video/result.mp4"));
        // MuxVideo redelivered: the same result again, no second completion.
        Assert.False(await lifecycle.CompleteVideoAsync(id, "t/video/result.mp4"));

        var messages = await StoreJobs.OutboxAsync(store);
        Assert.Equal(3, messages.Count);
        Assert.Contains(new FrameReady(id, 0), messages);
        Assert.Contains(new MuxVideo(id), messages);
        Assert.Equal(["t/video/result.mp4"], Assert.Single(messages.OfType<JobCompleted>()).ResultKeys);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_job_fails_or_is_cancelled_once_with_its_message(string database)
    {
        using var store = await OpenAsync(database);
        var lifecycle = StoreJobs.Lifecycle(store);
        var failed = await StoreJobs.AddPlannedAsync(store, tiles: 1);
        var cancelled = await StoreJobs.AddPlannedAsync(store, tiles: 1);

        Assert.True(await lifecycle.FailAsync(failed, "tile 0 of frame 0 failed"));
        Assert.False(await lifecycle.FailAsync(failed, "a second fault of the same step"));
        Assert.True(await lifecycle.CancelAsync(cancelled));
        Assert.False(await lifecycle.CancelAsync(cancelled));
        Assert.False(await lifecycle.FailAsync(cancelled, "after the cancel"));

        var messages = await StoreJobs.OutboxAsync(store);
        Assert.Equal(2, messages.Count);
        Assert.Equal((failed, "tile 0 of frame 0 failed"), messages.OfType<JobFailed>().Select(m => (m.JobId, m.Reason)).Single());
        Assert.Equal(cancelled, Assert.Single(messages.OfType<JobCancelled>()).JobId);
        Assert.Equal((JobState.Failed, JobState.Cancelled), ((await store.GetJobAsync(failed))!.State, (await store.GetJobAsync(cancelled))!.State));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Relays_claiming_at_once_get_each_message_once_until_its_lease_ends(string database)
    {
        using var store = await OpenAsync(database);
        var job = Guid.NewGuid();
        await store.TransactAsync(async changes =>
        {
            for (var frame = 0; frame < 200; frame++)
                await changes.EnqueueAsync(new FrameReady(job, frame), 1000 + frame);
        });
        var now = Clock.NowMs;
        const long lease = 30_000;

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(relay => Task.Run(async () =>
        {
            var mine = new List<OutboxMessage>();
            while (await store.ClaimOutboxAsync($"relay-{relay}", now, now + lease, limit: 10) is { Count: > 0 } batch)
                mine.AddRange(batch);
            return mine;
        })));
        var claimed = claims.SelectMany(c => c).ToList();
        Assert.Equal(200, claimed.Count);
        Assert.Equal(200, claimed.Select(m => m.Id).Distinct().Count());

        // Held while the leases last...
        Assert.Empty(await store.ClaimOutboxAsync("late", now + lease - 1, now + 2 * lease, limit: 1000));
        // ...and claimable again once they end: a relay that died holding them (or after publishing them) hands them on.
        var again = await store.ClaimOutboxAsync("after", now + lease, now + 2 * lease, limit: 1000);
        Assert.Equal(claimed.Select(m => m.Id).Order(), again.Select(m => m.Id).Order());
        Assert.Equal(Enumerable.Range(0, 200).Select(frame => 1000L + frame), again.Select(m => m.CreatedMs)); // oldest first

        // Released by its claim (its publish failed): claimable at once. Released by another: still held. Deleted (published): gone.
        await store.ReleaseOutboxAsync("after", again.Take(50).Select(m => m.Id).ToList());
        await store.ReleaseOutboxAsync("not-the-claim", again.Skip(50).Take(50).Select(m => m.Id).ToList());
        await store.DeleteOutboxAsync(again.Skip(100).Select(m => m.Id).ToList());
        Assert.Equal(new OutboxBacklog(100, 1000), await store.CountOutboxAsync());
        var released = await store.ClaimOutboxAsync("next", now + lease, now + 2 * lease, limit: 1000);
        Assert.Equal(again.Take(50).Select(m => m.Id), released.Select(m => m.Id));
    }

    private Task<SqlJobStore> OpenAsync(string database) => services.OpenJobStoreAsync(database, _dir.File("farm.db"));

    public void Dispose() => _dir.Dispose();
}
