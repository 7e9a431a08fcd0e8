using UpscaleFarm.Cli.Benchmarks;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Faults;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Tests.Shared;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// Each window between a committed state change and the message it implies, opened on purpose (a fault
/// thrown once right after the commit, as a process dying there would leave it): the reconciler finds the
/// stalled step and sends it again, and the job completes with the engine's bytes.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class CrashWindowTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(FaultInjection.JobCreated)]
    [InlineData(FaultInjection.TilesClaimed)]
    [InlineData(FaultInjection.FrameTilesCounted)]
    [InlineData(FaultInjection.LastFrameAssembled)]
    public async Task A_lost_message_after_a_commit_is_sent_again_and_the_job_completes(string checkpoint)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.NearestDirectory,
            ["Farm:FaultInjection:ThrowOnceAt:0"] = checkpoint,
            ["Farm:Coordinator:ReconcileIntervalSeconds"] = "1",
            ["Farm:Coordinator:StalledAfterSeconds"] = "2",
        };
        await using var farm = await EmbeddedFarm.StartAsync(settings);
        var source = RepoPaths.SharedImage("chelsea.png");
        var request = new JobRequest { TileSize = 128, Halo = 8 };

        Guid id;
        if (checkpoint == FaultInjection.JobCreated)
        {
            // The client sees the failure; the job it recorded is carried on regardless.
            var job = farm.Client.NewJob(request);
            await using (var file = File.OpenRead(source))
            {
                var frame = await farm.Client.UploadFrameAsync(job.Tenant, job.JobId, 0, "chelsea.png", file);
                await Assert.ThrowsAsync<InjectedFaultException>(() => farm.Client.CreateAsync(job, [frame]));
            }
            id = job.JobId;
            Assert.Equal(JobState.Queued, (await farm.Store.GetJobAsync(id))!.State);
        }
        else
        {
            id = await farm.Client.SubmitAsync([source], request);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var done = await farm.Client.WaitAsync(id, cancellation: timeout.Token);
        EmbeddedFarmTests.AssertCompleted(done);
        Assert.Equal(12, done.TilesDone);
        var result = (await farm.Client.DownloadResultsAsync(id, f => _dir.File($"result-{f}.png")))[0];
        var engine = ReferenceUpscale.Run(TestModels.NearestDirectory, Models.Synthetic.NearestNeighbourModel.Id, source, _dir.File("engine.png"), 128, 8);
        Assert.Equal(engine, File.ReadAllBytes(result));
    }

    [Fact]
    public async Task Without_a_fault_the_reconciler_finds_nothing_stalled()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.NearestDirectory,
        };
        await using var farm = await EmbeddedFarm.StartAsync(settings);
        var id = await farm.Client.SubmitAsync([RepoPaths.SharedImage("chelsea.png")], new JobRequest { TileSize = 128, Halo = 8 });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        EmbeddedFarmTests.AssertCompleted(await farm.Client.WaitAsync(id, cancellation: timeout.Token));
        var stalled = await farm.Store.FindStalledAsync(long.MaxValue, 100);
        Assert.Equal(0, stalled.Count);
    }
}
