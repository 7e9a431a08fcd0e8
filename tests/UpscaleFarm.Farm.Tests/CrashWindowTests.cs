using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// Each window between a committed state change and the message it implies, opened on purpose: a fault right after
/// the commit, thrown in the embedded farm's one process or killing a process of the distributed farm. The message
/// was committed with its change, so a relay sends it from the outbox and the job completes, end event included,
/// with the reconciler out of the way (Coordinator:StalledAfterSeconds a day): each of these fails without the
/// outbox. What stays the reconciler's is tested with it: tiles claimed but never sent, and work an earlier build
/// left stalled without its message.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class CrashWindowTests(FarmServices services) : IDisposable
{
    /// <summary>Coordinator:StalledAfterSeconds for the outbox's tests: the reconciler re-drives nothing while they run.</summary>
    private const string ReconcilerOff = "86400";

    private static readonly JobRequest Request = new() { Options = new() { TileSize = 128, Halo = 8 } };

    private readonly TempDirectory _dir = new();
    private readonly List<FarmProcess> _processes = [];

    [Theory]
    [InlineData(FarmDiagnostics.JobCreated)]
    [InlineData(FarmDiagnostics.FrameTilesCounted)]
    [InlineData(FarmDiagnostics.LastFrameAssembled)]
    public async Task A_message_committed_before_a_fault_is_sent_from_the_outbox_and_the_job_completes(string checkpoint)
    {
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.NearestDirectory,
            ["Farm:Coordinator:StalledAfterSeconds"] = ReconcilerOff,
        }, throwOnceAt: checkpoint);
        await using var completions = await PublishedMessages<JobCompleted>.ListenAsync(farm.Bus);
        var source = RepoPaths.SharedImage("chelsea.png");

        Guid id;
        if (checkpoint == FarmDiagnostics.JobCreated)
        {
            // The client sees the failure; the job it recorded is carried on regardless.
            var job = farm.Client.NewJob(Request);
            await using (var file = File.OpenRead(source))
            {
                var frame = await farm.Client.UploadFrameAsync(job.Tenant, job.Id, 0, "chelsea.png", file);
                await Assert.ThrowsAsync<InjectedFaultException>(() => farm.Client.CreateAsync(job, [frame]));
            }
            id = job.Id;
        }
        else
        {
            id = await farm.Client.SubmitAsync([source], Request);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var done = await farm.Client.WaitAsync(id, cancellation: timeout.Token);
        EmbeddedFarmTests.AssertCompleted(done);
        Assert.Equal(12, done.TilesDone);
        Assert.Equal(ReferenceUpscale.Run(TestModels.NearestDirectory, Models.Synthetic.NearestNeighbourModel.Id, source, _dir.File("engine.png"), 128, 8),
            File.ReadAllBytes((await farm.Client.DownloadResultsAsync(id, f => _dir.File($"result-{f}.png")))[0]));
        // The job's end was announced too (the API schedules its webhook from it), and nothing is left to send.
        await completions.WaitForAsync(m => m.JobId == id, TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () => (await farm.Store.CountOutboxAsync()).Pending == 0);
    }

    [Theory]
    [InlineData(FarmDiagnostics.FrameTilesCounted)]
    [InlineData(FarmDiagnostics.LastFrameAssembled)]
    public async Task An_assembler_killed_right_after_a_commit_leaves_its_message_to_another_relay_and_the_job_completes(string checkpoint)
    {
        var settings = services.NewFarm($"uf_{Guid.NewGuid():N}"[..20], TestModels.NearestDirectory, _dir.File("farm"));
        settings["Farm:Coordinator:StalledAfterSeconds"] = ReconcilerOff;
        // A relay that dies holding a claim delays its messages by the lease: kept short, so the test does not wait 30 s if it happens.
        settings["Farm:Outbox:LeaseSeconds"] = "4";
        _processes.AddRange(await Task.WhenAll(
            FarmProcess.StartAsync("coordinator", settings, "coordinator-1"),
            FarmProcess.StartAsync("worker", settings, "worker-1"),
            FarmProcess.StartAsync("assembler", settings, "assembler-1", killAt: checkpoint)));
        var doomed = _processes[^1];
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        await using var completions = await PublishedMessages<JobCompleted>.ListenAsync(client.Bus);
        var source = RepoPaths.SharedImage("chelsea.png");

        var id = await client.Client.SubmitAsync([source], Request);
        // SIGKILL, right after the commit: nothing of that step ran after it.
        Assert.Equal(128 + 9, await doomed.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        _processes.Add(await FarmProcess.StartAsync("assembler", settings, "assembler-2"));

        await WaitUntilAsync(async () => ((await client.Store.GetJobAsync(id))!.State).IsFinal);
        var done = (await client.Store.GetJobAsync(id))!;
        EmbeddedFarmTests.AssertCompleted(done);
        Assert.Equal(12, done.TilesDone);
        Assert.Equal(ReferenceUpscale.Run(TestModels.NearestDirectory, Models.Synthetic.NearestNeighbourModel.Id, source, _dir.File("engine.png"), 128, 8),
            File.ReadAllBytes((await client.Client.DownloadResultsAsync(id, f => _dir.File($"result-{f}.png")))[0]));
        await completions.WaitForAsync(m => m.JobId == id, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Tiles_claimed_but_never_sent_are_released_by_the_reconciler_and_the_job_completes()
    {
        // TileJob sends do not go through the outbox (one per tile): a dispatcher dying between claim and send is the reconciler's.
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.NearestDirectory,
            ["Farm:Coordinator:ReconcileIntervalSeconds"] = "1",
            ["Farm:Coordinator:StalledAfterSeconds"] = "2",
        }, throwOnceAt: FarmDiagnostics.TilesClaimed);
        var id = await farm.Client.SubmitAsync([RepoPaths.SharedImage("chelsea.png")], Request);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var done = await farm.Client.WaitAsync(id, cancellation: timeout.Token);
        EmbeddedFarmTests.AssertCompleted(done);
        Assert.Equal(12, done.TilesDone);
    }

    [Fact]
    public async Task Tiles_a_killed_coordinator_claimed_but_never_sent_are_released_once_the_tile_queue_is_empty()
    {
        var settings = services.NewFarm($"uf_{Guid.NewGuid():N}"[..20], TestModels.NearestDirectory, _dir.File("farm"));
        // Not by the ten-minute stall: by the tile queue being empty while they are still claimed.
        settings["Farm:Coordinator:StalledAfterSeconds"] = ReconcilerOff;
        settings["Farm:Coordinator:ReconcileIntervalSeconds"] = "1";
        settings["Farm:Coordinator:EmptyQueueReleaseSeconds"] = "2";
        _processes.AddRange(await Task.WhenAll(
            FarmProcess.StartAsync("coordinator", settings, "coordinator-1", killAt: FarmDiagnostics.TilesClaimed),
            FarmProcess.StartAsync("worker", settings, "worker-1"),
            FarmProcess.StartAsync("assembler", settings, "assembler-1")));
        var doomed = _processes[0];
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);

        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("chelsea.png")], Request);
        // SIGKILL between claiming the tiles and sending them: they are claimed, in no queue.
        Assert.Equal(128 + 9, await doomed.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        _processes.Add(await FarmProcess.StartAsync("coordinator", settings, "coordinator-2"));

        await WaitUntilAsync(async () => ((await client.Store.GetJobAsync(id))!.State).IsFinal);
        var done = (await client.Store.GetJobAsync(id))!;
        EmbeddedFarmTests.AssertCompleted(done);
        Assert.Equal(12, done.TilesDone);
    }

    [Fact]
    public async Task A_job_an_earlier_build_recorded_without_its_message_is_started_by_the_reconciler()
    {
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.NearestDirectory,
            ["Farm:Coordinator:ReconcileIntervalSeconds"] = "1",
            ["Farm:Coordinator:StalledAfterSeconds"] = "2",
            // The embedded farm's resumption at start would find the job instead, had it been recorded by then.
            ["Farm:ResumeOnStart"] = "false",
        });
        // Recorded as a build before the outbox did it, and its JobSubmitted lost.
        var job = farm.Client.NewJob(Request) with { FramesTotal = 1, CreatedMs = Clock.NowMs };
        await using (var file = File.OpenRead(RepoPaths.SharedImage("chelsea.png")))
        {
            var frame = await farm.Client.UploadFrameAsync(job.Tenant, job.Id, 0, "chelsea.png", file);
            await farm.Store.TransactAsync(changes => changes.CreateJobAsync(job, [frame]));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        EmbeddedFarmTests.AssertCompleted(await farm.Client.WaitAsync(job.Id, cancellation: timeout.Token));
    }

    [Fact]
    public async Task Without_a_fault_nothing_is_stalled_and_the_outbox_is_empty()
    {
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.NearestDirectory,
        });
        var id = await farm.Client.SubmitAsync([RepoPaths.SharedImage("chelsea.png")], Request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        EmbeddedFarmTests.AssertCompleted(await farm.Client.WaitAsync(id, cancellation: timeout.Token));
        Assert.Equal(0, (await farm.Store.FindStalledAsync(long.MaxValue, 100)).Count);
        await WaitUntilAsync(async () => (await farm.Store.CountOutboxAsync()).Pending == 0);
    }

    /// <summary>Waits for <paramref name="condition"/>; on a timeout, fails with the farm processes' logs.</summary>
    private Task WaitUntilAsync(Func<Task<bool>> condition) => ProcessWait.UntilAsync(condition, _processes, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100));

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        _dir.Dispose();
    }
}
