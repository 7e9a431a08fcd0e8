using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The farm as separate processes (coordinator, two workers, assembler) through RabbitMQ, s3rver and
/// PostgreSQL on loopback, with faults: a worker killed, the broker restarted, S3 failing, a poison
/// tile, a cancel. The job is general-x4v3 on rocket.jpg in 70 tiles of 64 pixels (a few seconds of
/// work), and every completed result must equal the one-process engine's bytes.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class DistributedFarmTests(FarmServices services) : IDisposable
{
    private const string Model = "general-x4v3";
    private const int TileSize = 64, Halo = 8;
    private static readonly Lazy<byte[]> Reference = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"upscalefarm-reference-{Guid.NewGuid():N}.png");
        try
        {
            return ReferenceUpscale.Run(TestModels.RealDirectory, Model, RepoPaths.SharedImage("rocket.jpg"), path, TileSize, Halo);
        }
        finally
        {
            File.Delete(path);
        }
    });

    private readonly TempDirectory _dir = new();
    private readonly List<FarmProcess> _processes = [];
    private readonly string _name = $"uf_{Guid.NewGuid():N}"[..20];

    private static JobRequest Request => new() { Model = Model, Options = new() { TileSize = TileSize, Halo = Halo } };

    [Fact]
    public async Task Distributed_run_is_byte_identical_to_the_embedded_run()
    {
        var settings = NewFarm();
        await StartAsync(settings, "coordinator", "worker", "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var job = await RunAsync(client, Request);

        EmbeddedFarmTests.AssertCompleted(job);
        Assert.Equal(70, job.TilesDone);
        var distributed = await ResultBytesAsync(client, job);

        await using var embedded = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("embedded"),
            ["Farm:ModelsDirectory"] = TestModels.RealDirectory,
        });
        var embeddedJob = await RunAsync(embedded, Request);
        EmbeddedFarmTests.AssertCompleted(embeddedJob);
        Assert.Equal(await ResultBytesAsync(embedded, embeddedJob), distributed);
        Assert.Equal(Reference.Value, distributed);
    }

    [Fact]
    public async Task Worker_killed_mid_job_loses_no_tile_and_counts_each_once()
    {
        var settings = NewFarm();
        await StartAsync(settings, "coordinator", "worker", "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);

        await WaitForTilesAsync(client, id, 10);
        var victim = _processes.First(p => p.Role == "worker");
        victim.Kill();
        var job = await WaitForEndAsync(client, id);

        EmbeddedFarmTests.AssertCompleted(job);
        var tiles = await client.Store.GetTilesAsync(id, 0);
        Assert.Equal(70, job.TilesDone);
        Assert.All(tiles, t => Assert.Equal(TileState.Done, t.State));
        Assert.Equal(1, (await client.Store.GetFrameAsync(id, 0))!.TilesDone / 70);
        Assert.Equal(Reference.Value, await ResultBytesAsync(client, job));
    }

    [Fact]
    public async Task Worker_stopped_by_sigterm_finishes_its_tiles_and_returns_the_rest()
    {
        var settings = NewFarm();
        await StartAsync(settings, "coordinator", "assembler", "worker");
        var worker = _processes.Single(p => p.Role == "worker");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);

        // SIGTERM while the worker holds tiles it has started.
        await WaitForTilesAsync(client, id, 5);
        IReadOnlyList<TileRecord> inHand = [];
        await WaitUntilAsync(async () => (inHand = (await client.Store.GetTilesAsync(id, 0))
            .Where(t => t.State == TileState.Pending && t.StartedMs is not null).ToList()).Count > 0);
        var exitCode = await worker.TerminateAsync(TimeSpan.FromSeconds(90));
        Assert.True(exitCode == 0, $"worker exited with {exitCode}:\n{worker.Log}");

        // Every tile it had started was finished by it, before it exited.
        var afterStop = (await client.Store.GetTilesAsync(id, 0)).ToDictionary(t => t.Tile);
        Assert.All(inHand, t => Assert.Equal((TileState.Done, worker.InstanceName), (afterStop[t.Tile].State, afterStop[t.Tile].Worker)));
        Assert.True(afterStop.Values.Count(t => t.State == TileState.Pending) > 0, "the job finished before the worker stopped: nothing was left to return");

        // The tiles it had been sent but not started went back to the queue: another worker finishes the job,
        // and no tile was attempted twice.
        await StartAsync(settings, "worker");
        var job = await WaitForEndAsync(client, id);
        EmbeddedFarmTests.AssertCompleted(job);
        var tiles = await client.Store.GetTilesAsync(id, 0);
        Assert.All(tiles, t => Assert.Equal((TileState.Done, 1), (t.State, t.Attempts)));
        Assert.Equal(Reference.Value, await ResultBytesAsync(client, job));
    }

    [Fact]
    public async Task Broker_restarted_mid_job_and_the_job_still_completes()
    {
        var settings = NewFarm();
        await StartAsync(settings, "coordinator", "worker", "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);

        await WaitForTilesAsync(client, id, 10);
        services.Rabbitmqctl("stop_app");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            services.Rabbitmqctl("start_app");
        }
        var job = await WaitForEndAsync(client, id);

        EmbeddedFarmTests.AssertCompleted(job);
        Assert.Equal(70, job.TilesDone);
        Assert.Equal(Reference.Value, await ResultBytesAsync(client, job));
    }

    [Fact]
    public async Task A_roles_readiness_names_the_broker_while_it_is_down_and_its_liveness_stays_up()
    {
        var settings = NewFarm();
        var port = LoopbackPort.Free();
        settings["Farm:HealthPort"] = port.ToString();
        await StartAsync(settings, "worker");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var ready = await HealthAsync(http, "/health/ready", HttpStatusCode.OK);
        Assert.Equal(["job-store", "message-broker", "object-store", "self"], ready.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order().ToArray());

        services.Rabbitmqctl("stop_app");
        try
        {
            ready = await HealthAsync(http, "/health/ready", HttpStatusCode.ServiceUnavailable);
            Assert.Equal(["message-broker"], ready.GetProperty("unavailable").EnumerateArray().Select(e => e.GetString()!).ToArray());
            // Names and statuses only: MassTransit's own description names the broker's address and queues.
            Assert.DoesNotContain("127.0.0.1", ready.GetRawText());
            // An unready worker is not a dead one: liveness must not get it restarted.
            await HealthAsync(http, "/health/live", HttpStatusCode.OK);
        }
        finally
        {
            services.Rabbitmqctl("start_app");
        }
        await HealthAsync(http, "/health/ready", HttpStatusCode.OK);
    }

    [Fact]
    public async Task S3_failing_for_a_while_is_retried_and_the_job_completes()
    {
        using var proxy = new FaultProxy(new Uri(services.S3Endpoint));
        var settings = NewFarm(proxy.Url);
        await StartAsync(settings, "coordinator", "worker", "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);

        await WaitForTilesAsync(client, id, 10);
        proxy.Failing = true;
        await Task.Delay(TimeSpan.FromSeconds(4));
        proxy.Failing = false;
        var job = await WaitForEndAsync(client, id);

        EmbeddedFarmTests.AssertCompleted(job);
        Assert.True(proxy.Refused > 0, "the fault window refused no request");
        Assert.Equal(Reference.Value, await ResultBytesAsync(client, job));
    }

    [Fact]
    public async Task Slow_and_throttling_storage_slows_the_job_but_costs_no_attempt()
    {
        // 50 ms before every chunk either way, and every 4th connection answered 503 SlowDown, for the whole job.
        using var proxy = new FaultProxy(new Uri(services.S3Endpoint)) { Latency = TimeSpan.FromMilliseconds(50), ThrottleEvery = 4 };
        var settings = NewFarm(proxy.Url);
        settings["Farm:Worker:MaxTileAttempts"] = "1";
        await StartAsync(settings, "coordinator", "worker", "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);
        var job = await WaitForEndAsync(client, id);

        EmbeddedFarmTests.AssertCompleted(job);
        Assert.True(proxy.Throttled > 0, "no request was throttled");
        // Throttling and slowness are the store's, not the tiles': one attempt each (one is all they were allowed).
        Assert.All(await client.Store.GetTilesAsync(id, 0), tile => Assert.Equal(1, tile.Attempts));
        Assert.Equal(Reference.Value, await ResultBytesAsync(client, job));
    }

    [Fact]
    public async Task S3_down_longer_than_a_tiles_quick_retries_costs_no_attempt_and_the_job_completes()
    {
        using var proxy = new FaultProxy(new Uri(services.S3Endpoint));
        var settings = NewFarm(proxy.Url);
        settings["Farm:Worker:MaxTileAttempts"] = "2";
        settings["Farm:OutageToleranceSeconds"] = "120";
        await StartAsync(settings, "coordinator", "worker", "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);

        await WaitForTilesAsync(client, id, 10);
        // Longer than a delivery's quick retries (about 20 s), each of which used to count as an attempt.
        proxy.Failing = true;
        await Task.Delay(TimeSpan.FromSeconds(30));
        proxy.Failing = false;
        var job = await WaitForEndAsync(client, id);

        EmbeddedFarmTests.AssertCompleted(job);
        Assert.True(proxy.Refused > 0, "the fault window refused no request");
        Assert.All(await client.Store.GetTilesAsync(id, 0), tile => Assert.Equal(1, tile.Attempts)); // no worker died: one attempt each
        Assert.Equal(Reference.Value, await ResultBytesAsync(client, job));
    }

    [Fact]
    public async Task S3_down_past_the_outage_tolerance_fails_the_job_naming_the_object_store()
    {
        using var proxy = new FaultProxy(new Uri(services.S3Endpoint));
        var settings = NewFarm(proxy.Url);
        settings["Farm:OutageToleranceSeconds"] = "5";
        await StartAsync(settings, "coordinator", "worker", "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);

        await WaitForTilesAsync(client, id, 10);
        proxy.Failing = true;
        var job = await WaitForEndAsync(client, id);

        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("the object store", job.Error);
        Assert.DoesNotContain("Exception", job.Error);
    }

    [Fact]
    public async Task Job_store_restarted_mid_job_and_the_following_client_stays_attached()
    {
        var settings = NewFarm();
        await StartAsync(settings, "coordinator", "worker", "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);

        await WaitForTilesAsync(client, id, 10);
        // Followed as `farm submit --wait` follows it, through the restart.
        var following = client.Client.WaitAsync(id);
        services.RestartPostgres();
        var job = await following.WaitAsync(TimeSpan.FromMinutes(3));

        EmbeddedFarmTests.AssertCompleted(job);
        Assert.Equal(70, job.TilesDone);
        Assert.Equal(Reference.Value, await ResultBytesAsync(client, job));
    }

    [Fact]
    public async Task Poison_tile_fails_the_job_with_its_reason_and_the_queues_drain()
    {
        var settings = NewFarm();
        settings["Farm:Worker:MaxTileAttempts"] = "3";
        await StartAsync(settings, "coordinator", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);

        // With no worker running yet, take the input of tile 5's pack (tiles 4 and 5) away once it is cut (the plan is
        // recorded before the tiles are cut, and a row at a time after): every attempt at it fails.
        await WaitUntilAsync(async () => (await client.Store.GetTilesAsync(id, 0)) is { Count: 70 } tiles && tiles.All(t => t.Cut));
        var job = (await client.Store.GetJobAsync(id))!;
        Assert.Equal(4, (await client.Store.GetTilesAsync(id, 0)).Single(t => t.Tile == 5).Pack);
        await client.Objects.DeleteAsync(FarmKeys.TileInput(job.Tenant, id, 0, 4));
        await StartAsync(settings, "worker", "worker");
        job = await WaitForEndAsync(client, id);

        // A missing input cannot come back: no retry, the job fails at the first attempt, naming what is missing.
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("tiles 4 to 5 of frame 0 failed: a file of the job is missing from the object store", job.Error);
        var tile = (await client.Store.GetTilesAsync(id, 0)).Single(t => t.Tile == 5);
        Assert.Equal(1, tile.Attempts);
        Assert.Equal("a file of the job is missing from the object store", tile.LastError); // named, without its key
        await WaitUntilAsync(() => Task.FromResult(services.QueueDepth(_name, QueueTopology.TileQueue) == 0));
    }

    [Fact]
    public async Task Cancel_stops_the_remaining_tiles()
    {
        var settings = NewFarm();
        settings["Farm:Worker:ConcurrentTiles"] = "2";
        await StartAsync(settings, "coordinator", "worker", "worker", "assembler");
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], Request);

        await WaitForTilesAsync(client, id, 5);
        Assert.True(await client.Client.CancelAsync(id));
        var atCancel = (await client.Store.GetJobAsync(id))!.TilesDone;
        await WaitUntilAsync(() => Task.FromResult(services.QueueDepth(_name, QueueTopology.TileQueue) == 0));
        await Task.Delay(TimeSpan.FromSeconds(2));

        var job = (await client.Store.GetJobAsync(id))!;
        Assert.Equal(JobState.Cancelled, job.State);
        // Only tiles already in a worker's hands (2 workers × 2 packs of 2) may finish after the cancel.
        Assert.InRange(job.TilesDone, atCancel, atCancel + 8);
        Assert.True(job.TilesDone < 60, $"{job.TilesDone} of 70 tiles were done: the cancel came too late to prove anything");
        Assert.Null((await client.Store.GetFrameAsync(id, 0))!.ResultKey);
    }

    /// <summary>
    /// A farm whose packs hold 2 tiles (64² tiles with their halo are 80² windows): the tests count what a worker holds,
    /// retries and drops in tiles, and packs of 2 keep those counts close to the tiles' while every step goes pack by pack.
    /// </summary>
    private Dictionary<string, string?> NewFarm(string? s3Endpoint = null)
    {
        var settings = services.NewFarm(_name, TestModels.RealDirectory, _dir.File("farm"), s3Endpoint);
        settings["Farm:Coordinator:PackPixels"] = (2 * 80 * 80).ToString();
        return settings;
    }

    private async Task StartAsync(Dictionary<string, string?> settings, params string[] roles)
    {
        var started = await Task.WhenAll(roles.Select((role, i) => FarmProcess.StartAsync(role, settings, $"{role}-{_processes.Count + i + 1}")));
        _processes.AddRange(started);
    }

    private static async Task<JobRecord> RunAsync(EmbeddedFarm farm, JobRequest request)
    {
        var id = await farm.Client.SubmitAsync([RepoPaths.SharedImage("rocket.jpg")], request);
        using var timeout = Timeout();
        return await farm.Client.WaitAsync(id, cancellation: timeout.Token);
    }

    private async Task<byte[]> ResultBytesAsync(EmbeddedFarm farm, JobRecord job)
    {
        var path = (await farm.Client.DownloadResultsAsync(job.Id, f => _dir.File($"{job.Id}-{f}.png")))[0];
        return await File.ReadAllBytesAsync(path);
    }

    /// <summary>Waits for the job to finish; on a timeout, fails with the processes' logs.</summary>
    private async Task<JobRecord> WaitForEndAsync(EmbeddedFarm farm, Guid id)
    {
        await WaitUntilAsync(async () => ((await farm.Store.GetJobAsync(id))!.State).IsFinal);
        return (await farm.Store.GetJobAsync(id))!;
    }

    private async Task WaitForTilesAsync(EmbeddedFarm farm, Guid id, int tiles) =>
        await WaitUntilAsync(async () => (await farm.Store.GetJobAsync(id))!.TilesDone >= tiles);

    private Task WaitUntilAsync(Func<Task<bool>> condition) => ProcessWait.UntilAsync(condition, _processes, TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(100));

    private static CancellationTokenSource Timeout() => new(TimeSpan.FromMinutes(3));

    /// <summary>Polls a health endpoint until it answers <paramref name="expected"/>; returns its JSON report.</summary>
    private async Task<JsonElement> HealthAsync(HttpClient http, string path, HttpStatusCode expected)
    {
        JsonElement? report = null;
        await WaitUntilAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync(path);
                report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                return response.StatusCode == expected;
            }
            catch (HttpRequestException)
            {
                return false; // the endpoint starts after the bus
            }
        });
        return report!.Value;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        _dir.Dispose();
    }
}
