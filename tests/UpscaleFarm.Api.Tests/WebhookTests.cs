using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using UpscaleFarm.Api.Webhooks;

namespace UpscaleFarm.Api.Tests;

/// <summary>Webhooks reach a real HTTP receiver, signed with the tenant's secret, and are retried when it fails.</summary>
[Collection(ApiCollection.Name)]
public sealed class WebhookTests(ApiFactory api)
{
    private sealed record Delivery(string Event, string Timestamp, string Signature, string Body);

    [Fact]
    public async Task A_completed_job_is_posted_signed_and_retried_after_a_failure()
    {
        var deliveries = new ConcurrentQueue<Delivery>();
        var attempts = 0;
        await using var receiver = await StartReceiverAsync(async http =>
        {
            // The first attempt fails, as a receiver that is briefly down would.
            if (Interlocked.Increment(ref attempts) == 1)
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            deliveries.Enqueue(new Delivery(http.Request.Headers[WebhookSignature.EventHeader]!, http.Request.Headers[WebhookSignature.TimestampHeader]!,
                http.Request.Headers[WebhookSignature.SignatureHeader]!, await new StreamReader(http.Request.Body).ReadToEndAsync()));
        });

        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.SubmitAsync(client, Jobs.Form([("hook.png", Jobs.Png("chelsea.png", 8, 8))], ("webhook", $"{receiver.Url}/hooks")));
        await Jobs.WaitAsync(client, job.Id);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (deliveries.IsEmpty && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        var delivery = Assert.Single(deliveries);
        Assert.Equal(2, attempts);
        Assert.Equal("job.completed", delivery.Event);
        Assert.Equal(WebhookSignature.Sign(ApiFactory.AcmeWebhookSecret, long.Parse(delivery.Timestamp), delivery.Body), delivery.Signature);
        using var body = JsonDocument.Parse(delivery.Body);
        Assert.Equal(job.Id, body.RootElement.GetProperty("job").GetProperty("id").GetGuid());
        Assert.Equal("completed", body.RootElement.GetProperty("job").GetProperty("state").GetString());
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

    private sealed class Receiver(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;
        public ValueTask DisposeAsync() => app.DisposeAsync();
    }

    private static async Task<Receiver> StartReceiverAsync(RequestDelegate handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Receiver(app, address);
    }
}
