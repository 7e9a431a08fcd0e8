using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UpscaleFarm.Api.Webhooks;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Testing;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// Webhooks reach a real HTTP receiver, signed as Standard Webhooks with the tenant's secret, retried
/// when it fails, and sent from the job store's schedule: not delayed by another tenant's dead receiver,
/// posted once per job end, still sent after the API restarts, and sent for a job whose end event was
/// committed just before its step failed.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WebhookTests(ApiFactory api)
{
    private sealed record Delivery(string Id, string Timestamp, string Signature, string Event, string Body);

    [Fact]
    public async Task A_completed_job_is_posted_signed_and_retried_after_a_failure_with_the_same_id()
    {
        var attempts = new ConcurrentQueue<Delivery>();
        await using var receiver = await StartReceiverAsync(async (http, delivery) =>
        {
            attempts.Enqueue(delivery);
            // The first attempt fails, as a receiver that is briefly down would.
            if (attempts.Count == 1)
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await Task.CompletedTask;
        });

        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.SubmitAsync(client, Jobs.Form([("hook.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", $"{receiver.Url}/hooks/TOKEN")));
        await Jobs.WaitAsync(client, job.Id);
        await WaitUntilAsync(() => attempts.Count >= 2, TimeSpan.FromSeconds(30));

        Assert.Equal(2, attempts.Count);
        Assert.Single(attempts.Select(a => a.Id).Distinct());
        foreach (var attempt in attempts)
            Assert.Equal(StandardWebhookSignature(WebhookKeyOf(ApiFactory.AcmeWebhookSecret), attempt), attempt.Signature);
        var delivery = attempts.Last();
        Assert.Equal("job.completed", delivery.Event);
        Assert.InRange(long.Parse(delivery.Timestamp), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using var body = JsonDocument.Parse(delivery.Body);
        Assert.Equal(job.Id, body.RootElement.GetProperty("job").GetProperty("id").GetGuid());
        Assert.Equal("completed", body.RootElement.GetProperty("job").GetProperty("state").GetString());

        var row = await WaitForRowAsync(api.Services, job.Id, r => r.State == WebhookDeliveryState.Delivered);
        Assert.Equal(delivery.Id, row.Id);
        Assert.Equal(2, row.Attempts);
    }

    [Fact]
    public async Task A_black_hole_receiver_of_one_tenant_does_not_delay_another_tenants_webhook()
    {
        // Accepts connections (the kernel completes them into the backlog) and never answers: each attempt
        // to it waits for the whole Api:WebhookTimeout (10 s).
        var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        try
        {
            var acme = api.ClientFor(ApiFactory.AcmeKey);
            var lost = await Jobs.SubmitAsync(acme, Jobs.Form([("lost.png", Jobs.Png("chelsea.png", 8, 8))],
                ("webhook", $"http://127.0.0.1:{((IPEndPoint)blackHole.LocalEndpoint).Port}/hook")));
            await Jobs.WaitAsync(acme, lost.Id);
            using var held = await blackHole.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));

            var arrived = new ConcurrentQueue<Delivery>();
            await using var receiver = await StartReceiverAsync((_, delivery) =>
            {
                arrived.Enqueue(delivery);
                return Task.CompletedTask;
            });
            var small = api.ClientFor(ApiFactory.SmallKey);
            var job = await Jobs.SubmitAsync(small, Jobs.Form([("b.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", $"{receiver.Url}/hook"),
                ("priority", ApiFactory.SmallMaxPriority.ToString())));
            await Jobs.WaitAsync(small, job.Id);
            var ended = Stopwatch.StartNew();
            await WaitUntilAsync(() => !arrived.IsEmpty, TimeSpan.FromSeconds(30));

            Assert.True(ended.Elapsed < TimeSpan.FromSeconds(5), $"the other tenant's webhook took {ended.Elapsed} after its job ended");
            var delivery = Assert.Single(arrived);
            // The tenant's secret is a Standard Webhooks one (whsec_): its base64 is the key.
            Assert.Equal(StandardWebhookSignature(WebhookKeyOf(ApiFactory.SmallWebhookSecret), delivery), delivery.Signature);
            var stuck = Assert.Single(await api.Services.GetRequiredService<WebhookStore>().GetWebhooksAsync(lost.Id));
            Assert.Equal(WebhookDeliveryState.Scheduled, stuck.State);
        }
        finally
        {
            blackHole.Stop();
        }
    }

    [Fact]
    public async Task A_redelivered_end_event_is_posted_once()
    {
        var arrived = new ConcurrentQueue<Delivery>();
        await using var receiver = await StartReceiverAsync((_, delivery) =>
        {
            arrived.Enqueue(delivery);
            return Task.CompletedTask;
        });
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.SubmitAsync(client, Jobs.Form([("once.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", $"{receiver.Url}/hook")));
        await Jobs.WaitAsync(client, job.Id);
        await WaitUntilAsync(() => !arrived.IsEmpty, TimeSpan.FromSeconds(30));

        // The broker delivers the event again (at-least-once): the consumer finds it already scheduled.
        await api.Services.GetRequiredService<IBus>().Publish(new JobCompleted(job.Id, [], DateTimeOffset.UtcNow));
        await WaitForRowAsync(api.Services, job.Id, r => r.State == WebhookDeliveryState.Delivered);
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Single(arrived);
        Assert.Single(await api.Services.GetRequiredService<WebhookStore>().GetWebhooksAsync(job.Id));
    }

    [Fact]
    public async Task A_scheduled_delivery_is_sent_after_the_api_restarts()
    {
        var data = Directory.CreateTempSubdirectory("upscalefarm-api-restart-").FullName;
        try
        {
            var attempts = new ConcurrentQueue<Delivery>();
            await using var receiver = await StartReceiverAsync((http, delivery) =>
            {
                attempts.Enqueue(delivery);
                if (attempts.Count == 1)
                    http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            });

            Guid jobId;
            using (var first = new SharedDataApiFactory(data))
            {
                var client = first.ClientFor(ApiFactory.AcmeKey);
                jobId = (await Jobs.SubmitAsync(client, Jobs.Form([("restart.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", $"{receiver.Url}/hook")))).Id;
                await Jobs.WaitAsync(client, jobId);
                // Stopped while the failed first attempt waits for its retry.
                await WaitForRowAsync(first.Services, jobId, r => r.Attempts == 1 && r.Claim is null && r.LastError is not null);
            }
            Assert.Single(attempts);

            using var second = new SharedDataApiFactory(data);
            var row = await WaitForRowAsync(second.Services, jobId, r => r.State == WebhookDeliveryState.Delivered);

            Assert.Equal(2, attempts.Count);
            Assert.Single(attempts.Select(a => a.Id).Distinct());
            Assert.Equal(row.Id, attempts.Last().Id);
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may hold its file for a moment after the host stops; the OS cleans its temp folder.
            }
        }
    }

    [Fact]
    public async Task A_job_completed_by_a_step_that_then_failed_still_gets_its_webhook()
    {
        var arrived = new ConcurrentQueue<Delivery>();
        await using var receiver = await StartReceiverAsync((_, delivery) =>
        {
            arrived.Enqueue(delivery);
            return Task.CompletedTask;
        });
        using var faulty = new FaultyApiFactory(FarmDiagnostics.LastFrameAssembled);
        var client = faulty.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.SubmitAsync(client, Jobs.Form([("fault.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", $"{receiver.Url}/hook")));

        // Its last frame's commit completed the job; the step failed right after, before anything was published.
        Assert.Equal("completed", (await Jobs.WaitAsync(client, job.Id)).State);
        // JobCompleted was committed with the completion, so the relay sends it and the API schedules the webhook.
        var row = await WaitForRowAsync(faulty.Services, job.Id, r => r.State == WebhookDeliveryState.Delivered);
        Assert.Equal("job.completed", row.EventName);
        Assert.Equal((row.Id, "job.completed"), arrived.Select(a => (a.Id, a.Event)).Single());
    }

    [Fact]
    public async Task A_tenant_without_a_webhook_secret_cannot_ask_for_webhooks()
    {
        var problem = await Refusals.PostAsync(api.ClientFor(ApiFactory.BetaKey),
            Jobs.Form([("a.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", "http://127.0.0.1:9/hook")), HttpStatusCode.BadRequest);
        Assert.Contains("no webhook secret", problem.Detail);
        var notHttp = await Refusals.PostAsync(api.ClientFor(ApiFactory.AcmeKey),
            Jobs.Form([("a.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", "file:///etc/passwd")), HttpStatusCode.BadRequest);
        Assert.Contains("absolute http or https URL", notHttp.Detail);
    }

    /// <summary>An API host on a given data directory, so a second one finds the first one's job store; its first retry waits 4 s.</summary>
    private sealed class SharedDataApiFactory(string dataDirectory) : ApiFactory(new Dictionary<string, string?>
    {
        ["Farm:DataDirectory"] = dataDirectory,
        ["Api:WebhookRetryDelays:0"] = "00:00:04",
    });

    /// <summary>
    /// An API host whose farm throws once at <paramref name="checkpoint"/>, right after a commit, with the reconciler out of
    /// the way (a day before it re-drives anything): only the outbox can carry the job on.
    /// </summary>
    private sealed class FaultyApiFactory(string checkpoint) : ApiFactory(new Dictionary<string, string?>
    {
        ["Farm:Coordinator:StalledAfterSeconds"] = "86400",
    })
    {
        private IDisposable? _fault;

        protected override IHost CreateHost(IHostBuilder builder)
        {
            var host = base.CreateHost(builder);
            _fault = CheckpointFault.ThrowOnceAt(host.Services.GetRequiredService<FarmDiagnostics>(), checkpoint);
            return host;
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            _fault?.Dispose();
        }
    }

    /// <summary>The Standard Webhooks key of a secret, computed here as the standard describes it, independently of the API's code.</summary>
    private static byte[] WebhookKeyOf(string secret) =>
        secret.StartsWith("whsec_", StringComparison.Ordinal) ? Convert.FromBase64String(secret["whsec_".Length..]) : Encoding.UTF8.GetBytes(secret);

    private static string StandardWebhookSignature(byte[] key, Delivery delivery) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{delivery.Id}.{delivery.Timestamp}.{delivery.Body}")));

    private static async Task<WebhookDeliveryRecord> WaitForRowAsync(IServiceProvider services, Guid jobId, Func<WebhookDeliveryRecord, bool> until)
    {
        var store = services.GetRequiredService<WebhookStore>();
        WebhookDeliveryRecord? row = null;
        await WaitUntilAsync(async () => (row = (await store.GetWebhooksAsync(jobId)).SingleOrDefault()) is { } r && until(r), TimeSpan.FromSeconds(30));
        return row!;
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout) => WaitUntilAsync(() => Task.FromResult(condition()), timeout);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {timeout}");
            await Task.Delay(50);
        }
    }

    private sealed class Receiver(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;
        public ValueTask DisposeAsync() => app.DisposeAsync();
    }

    /// <summary>A loopback HTTP receiver; <paramref name="handle"/> sees each request as a <see cref="Delivery"/> and may set the response.</summary>
    private static async Task<Receiver> StartReceiverAsync(Func<HttpContext, Delivery, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(async http =>
        {
            var headers = http.Request.Headers;
            var delivery = new Delivery(headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(),
                headers["X-UpscaleFarm-Event"].ToString(), await new StreamReader(http.Request.Body).ReadToEndAsync());
            await handle(http, delivery);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Receiver(app, address);
    }
}
