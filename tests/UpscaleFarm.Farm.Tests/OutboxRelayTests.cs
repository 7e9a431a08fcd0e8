using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Outbox;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The outbox relay on a real bus and job store: two relays on one outbox publish each message once, and a broker
/// outage delays a committed message without losing it or holding up the step that committed it.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class OutboxRelayTests(FarmServices services) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Two_relays_on_one_outbox_publish_each_message_once()
    {
        // A client process (its relay) on PostgreSQL, small batches polled often so the two relays take turns.
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:Database"] = "postgres",
            ["Farm:DatabaseConnection"] = services.NewDatabase($"uf_{Guid.NewGuid():N}"[..20]),
            ["Farm:Outbox:PollIntervalMs"] = "20",
            ["Farm:Outbox:BatchSize"] = "5",
        }, FarmRoles.None);
        await using var published = await PublishedMessages<FrameReady>.ListenAsync(farm.Bus);
        var second = ActivatorUtilities.CreateInstance<OutboxRelay>(farm.Services, new OutboxSignal());
        await second.StartAsync(CancellationToken.None);
        try
        {
            var job = Guid.NewGuid();
            await farm.Store.TransactAsync(async changes =>
            {
                for (var frame = 0; frame < 300; frame++)
                    await changes.EnqueueAsync(new FrameReady(job, frame), Clock.NowMs);
            });

            await published.WaitForAsync(m => published.Received.Count >= 300, TimeSpan.FromSeconds(60));
            // Anything sent twice would arrive within the polls that follow.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(Enumerable.Range(0, 300), published.Received.Select(m => m.Frame).Order());
            Assert.Equal(0, (await farm.Store.CountOutboxAsync()).Pending);
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
            second.Dispose();
        }
    }

    [Fact]
    public async Task A_job_submitted_while_the_broker_is_down_is_recorded_at_once_and_announced_when_the_broker_is_back()
    {
        var settings = services.NewFarm($"uf_{Guid.NewGuid():N}"[..20], TestModels.NearestDirectory, _dir.File("farm"));
        // Each publish gives up after half the lease: 2 s, so the relay's retries are seen within the outage.
        settings["Farm:Outbox:LeaseSeconds"] = "4";
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        await using var submitted = await PublishedMessages<JobSubmitted>.ListenAsync(client.Bus);

        services.Rabbitmqctl("stop_app");
        Guid id;
        try
        {
            var clock = Stopwatch.StartNew();
            id = await client.Client.SubmitAsync([RepoPaths.SharedImage("chelsea.png")], new JobRequest { Options = new() { TileSize = 128, Halo = 8 } });
            // The submission does not wait for the broker: its message is in the job store with it.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the submission took {clock.Elapsed}");
            // Several publish attempts fail meanwhile; the message stays.
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.Equal(1, (await client.Store.CountOutboxAsync()).Pending);
            Assert.Empty(submitted.Received);
        }
        finally
        {
            services.Rabbitmqctl("start_app");
        }

        var message = await submitted.WaitForAsync(m => m.JobId == id, TimeSpan.FromSeconds(60));
        Assert.Equal(1, message.Frames);
        Assert.Equal(0, (await client.Store.CountOutboxAsync()).Pending);
    }

    public void Dispose() => _dir.Dispose();
}
