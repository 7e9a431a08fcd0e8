using System.Diagnostics;
using System.Net;
using System.Text.Json;
using NetVips;
using UpscaleFarm.Testing;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// The API while its job store (PostgreSQL) or object store (s3rver) is down, each really stopped and
/// started again: readiness names what is down and liveness stays up; requests that meet the outage answer
/// 503 with Retry-After and the dependency's name, never 500 and never its details; the event stream and
/// <c>upscalefarm submit --wait</c> stay attached through it.
/// </summary>
public sealed class DependencyOutageTests(StoppableDependencies dependencies) : IClassFixture<StoppableDependencies>, IDisposable
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("upscalefarm-outage-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Readiness_and_requests_name_the_job_store_while_it_is_stopped()
    {
        var client = dependencies.Api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("a.png", Jobs.Png("chelsea.png", 12, 10))]))).Id);
        Assert.Equal(new[] { "job-store", "message-broker", "object-store", "self" }, (await ReadinessAsync(client, HttpStatusCode.OK)).Checks.Keys.Order().ToArray());

        dependencies.Postgres.Stop();
        try
        {
            var ready = await ReadinessAsync(client, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(["job-store"], ready.Unavailable);
            Assert.Equal(("Unhealthy", "Healthy"), (ready.Checks["job-store"], ready.Checks["object-store"]));
            // Liveness does not ask the dependencies: an outage must not get the API restarted.
            using (var live = await client.GetAsync("/health/live"))
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);

            foreach (var request in new Func<Task<HttpResponseMessage>>[]
            {
                () => client.GetAsync($"/v1/jobs/{job.Id:N}"),
                () => client.GetAsync("/v1/jobs"),
                () => client.GetAsync($"/v1/jobs/{job.Id:N}/events"),
                () => client.GetAsync($"/v1/jobs/{job.Id:N}/frames"),
                () => client.DeleteAsync($"/v1/jobs/{job.Id:N}"),
                () => client.PostAsync("/v1/jobs", Jobs.Form([("b.png", Jobs.Png("chelsea.png", 12, 10))])),
            })
            {
                using var response = await request();
                await AssertUnavailableAsync(response, "the job store is unavailable; retry shortly");
            }
        }
        finally
        {
            dependencies.Postgres.Start();
        }
        await ReadinessAsync(client, HttpStatusCode.OK);
        Assert.Equal("completed", (await Jobs.WaitAsync(client, job.Id)).State);
    }

    [Fact]
    public async Task Readiness_and_requests_name_the_object_store_while_it_is_stopped()
    {
        var client = dependencies.Api.ClientFor(ApiFactory.AcmeKey, followRedirects: false);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("a.png", Jobs.Png("chelsea.png", 12, 10))]))).Id);

        dependencies.S3.Stop();
        try
        {
            var ready = await ReadinessAsync(client, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(["object-store"], ready.Unavailable);
            Assert.Equal("Healthy", ready.Checks["job-store"]);
            using (var live = await client.GetAsync("/health/live"))
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);

            using (var result = await client.GetAsync($"/v1/jobs/{job.Id:N}/result"))
                await AssertUnavailableAsync(result, "the object store is unavailable; retry shortly");
            using (var upload = await client.PutAsync("/v1/uploads/scan.png", new ByteArrayContent(Jobs.Png("chelsea.png", 12, 10))))
                await AssertUnavailableAsync(upload, "the object store is unavailable; retry shortly");
            using (var submit = await client.PostAsync("/v1/jobs", Jobs.Form([("b.png", Jobs.Png("chelsea.png", 12, 10))])))
                await AssertUnavailableAsync(submit, "the object store is unavailable; retry shortly");
        }
        finally
        {
            dependencies.S3.Start();
        }
        await ReadinessAsync(client, HttpStatusCode.OK);
        using var back = await client.GetAsync($"/v1/jobs/{job.Id:N}/result");
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
    }

    [Fact]
    public async Task The_event_stream_stays_open_through_a_job_store_outage_and_ends_with_the_job()
    {
        var client = dependencies.Api.ClientFor(ApiFactory.AcmeKey);
        // 64 tiles, each through s3rver and PostgreSQL: seconds of work, so the outage falls in the middle.
        var job = await Jobs.SubmitAsync(client, Jobs.Form([("big.png", Jobs.Png("astronaut.png", 128, 128))], ("tile", "16"), ("halo", "4")));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var response = await client.GetAsync($"/v1/jobs/{job.Id:N}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var events = new List<(string Id, string Type, JsonElement Job)>();
        var comments = new List<string>();
        string? id = null, type = null;
        var outage = new Stopwatch();
        var stopped = false;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(':'))
                comments.Add(line[1..].Trim());
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
                id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
                type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var view = JsonDocument.Parse(line[6..]).RootElement.Clone();
                events.Add((id!, type!, view));
                // Once the job is under way: the job store goes away for 5 s, under the open stream.
                if (!stopped && view.GetProperty("tilesTotal").GetInt32() > 0 && view.GetProperty("state").GetString() == "running")
                {
                    dependencies.Postgres.Stop();
                    stopped = true;
                    outage.Restart();
                }
            }
            if (stopped && outage.Elapsed > TimeSpan.FromSeconds(5) && comments.Any(c => c.Contains("unavailable")))
            {
                dependencies.Postgres.Start();
                outage.Reset();
            }
        }
        if (outage.IsRunning)
            dependencies.Postgres.Start(); // the stream ended during the outage: the assertions below say how

        Assert.True(stopped, "the job never ran under the stream");
        Assert.Contains("the job store is unavailable; retrying in 1 s", comments);
        Assert.Equal("end", events[^1].Type);
        Assert.Equal("completed", events[^1].Job.GetProperty("state").GetString());
        Assert.All(events[..^1], e => Assert.Equal("progress", e.Type));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count()); // each event a new state
        var done = events.Select(e => e.Job.GetProperty("tilesDone").GetInt32()).ToList();
        Assert.Equal(done.Order(), done);
        Assert.Equal(64, done[^1]);
    }

    [Fact]
    public async Task Submit_wait_rides_through_a_job_store_outage_and_saves_the_result()
    {
        var settings = ApiFactory.Settings(Directory.CreateDirectory(Path.Combine(_dir, "farm")).FullName);
        settings["Farm:Database"] = "postgres";
        settings["Farm:DatabaseConnection"] = dependencies.Postgres.CreateDatabase($"cli_{Guid.NewGuid():N}"[..20]);
        using var api = await ApiServer.StartAsync(settings);
        var input = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir, "in")).FullName, "cat.png");
        var output = Path.Combine(_dir, "out");
        // 24 tiles: the job is still running when the job store goes.
        await File.WriteAllBytesAsync(input, Jobs.Png("chelsea.png", 96, 64));
        using var cli = ChildProcess.Start(RepoPaths.Cli,
            ["submit", input, "--api", api.Url, "--key", ApiFactory.AcmeKey, "--tile", "16", "--halo", "4", "--wait", "-o", output + "/"]);

        var id = await cli.WaitForLineAsync(line => Guid.TryParse(line, out _), Bounded);
        dependencies.Postgres.Stop();
        try
        {
            // The API answers 503 naming the job store; the client says so once and keeps polling.
            await WaitUntilAsync(() => cli.Stderr.Count > 0, cli);
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            dependencies.Postgres.Start();
        }

        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, cli.Log);
        // One line for the outage, no stack trace; then the result, saved.
        Assert.Equal(new[] { "upscalefarm: the farm API is unavailable (the job store is unavailable); retrying…" }, cli.Stderr);
        Assert.Equal(new[] { id, Path.Combine(output, "cat.png") }, cli.Stdout);
        using var image = Image.NewFromFile(Path.Combine(output, "cat.png"));
        Assert.Equal((384, 256), (image.Width, image.Height));
    }

    /// <summary>Polls readiness until it answers <paramref name="expected"/> (the checks' results are cached for 2 s); returns its report.</summary>
    private static async Task<(string[] Unavailable, Dictionary<string, string> Checks)> ReadinessAsync(HttpClient client, HttpStatusCode expected)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync("/health/ready");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == expected)
            {
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                // Names and statuses only: nothing of where the dependencies are or how they failed.
                Assert.DoesNotContain("127.0.0.1", body);
                Assert.DoesNotContain("Exception", body);
                using var report = JsonDocument.Parse(body);
                return (report.RootElement.GetProperty("unavailable").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                    report.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
            }
            Assert.True(watch.Elapsed < Bounded, $"readiness still {(int)response.StatusCode} after {Bounded}: {body}");
            await Task.Delay(200);
        }
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response, string detail)
    {
        var body = await Refusals.BodyAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        Assert.Equal(detail, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("127.0.0.1", body);
        Assert.DoesNotContain("Exception", body);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, ChildProcess process)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Bounded, $"condition not reached in {Bounded}\n{process.Log}");
            await Task.Delay(50);
        }
    }
}
