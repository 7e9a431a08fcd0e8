using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Webhooks;

/// <summary>
/// Posts scheduled webhook deliveries. It claims due rows from the job store one at a time while it has
/// room (each claim is a lease, so several API replicas never post the same delivery at once, and a
/// crashed replica's claims come due again), posts up to <see cref="MaxInFlight"/> at once and records
/// each outcome: delivered, due again after the next of Api:WebhookRetryDelays, or lost after the last.
/// A receiver that never answers holds one slot for Api:WebhookTimeout per attempt, and one tenant holds
/// at most <see cref="MaxInFlightPerTenant"/> slots, so other tenants' webhooks keep flowing.
/// </summary>
public sealed class WebhookSender(WebhookStore store, IHttpClientFactory http, IOptionsMonitor<ApiOptions> api, ILogger<WebhookSender> logger)
    : BackgroundService
{
    public const string HttpClientName = "webhooks";
    public const int MaxInFlight = 16;
    public const int MaxInFlightPerTenant = 4;

    /// <summary>How often the store is polled for deliveries that came due (retries, other replicas' events).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>A claim outlives the attempt's timeout by this much before another sender may take the delivery.</summary>
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    // One pending signal at most: any number of Wake calls before the loop looks is one look.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Makes the sender look for due deliveries now rather than at its next poll (a delivery was just scheduled here).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        // Each send records its own outcome and never throws, so the set only needs pruning.
        var inFlight = new Dictionary<Task, string>();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await ClaimDueAsync(inFlight, stopping);
                using (var poll = CancellationTokenSource.CreateLinkedTokenSource(stopping))
                {
                    poll.CancelAfter(PollInterval);
                    var woken = _wake.Reader.WaitToReadAsync(poll.Token).AsTask();
                    await Task.WhenAny(inFlight.Keys.Append(woken));
                    await poll.CancelAsync();
                }
                _wake.Reader.TryRead(out _);
                foreach (var done in inFlight.Keys.Where(t => t.IsCompleted).ToList())
                    inFlight.Remove(done);
            }
        }
        finally
        {
            // Stopping cancels the posts; their claims lapse after the lease and another sender retries them.
            await Task.WhenAll(inFlight.Keys);
        }
    }

    private async Task ClaimDueAsync(Dictionary<Task, string> inFlight, CancellationToken stopping)
    {
        var lease = api.CurrentValue.WebhookTimeout + LeaseMargin;
        while (inFlight.Count < MaxInFlight)
        {
            var busyTenants = inFlight.Values.CountBy(tenant => tenant).Where(t => t.Value >= MaxInFlightPerTenant).Select(t => t.Key).ToList();
            var now = Clock.NowMs;
            WebhookDeliveryRecord? delivery;
            try
            {
                delivery = await store.ClaimWebhookAsync(Guid.NewGuid().ToString("N"), now, now + (long)lease.TotalMilliseconds, busyTenants, stopping);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not claim due webhook deliveries; trying again at the next poll");
                return;
            }
            if (delivery is null)
                return;
            inFlight.Add(SendAsync(delivery, stopping), delivery.Tenant);
        }
    }

    private async Task SendAsync(WebhookDeliveryRecord delivery, CancellationToken stopping)
    {
        var claim = delivery.Claim!;
        var url = RedactedUrl.Of(delivery.Url);
        try
        {
            if (api.CurrentValue.Tenants.FirstOrDefault(t => t.Name == delivery.Tenant) is not { WebhookSecret.Length: > 0 } tenant)
            {
                logger.LogError("Webhook {Event} of job {JobId} to {Url} is lost: tenant {Tenant} no longer has a webhook secret to sign it with",
                    delivery.EventName, delivery.JobId, url, delivery.Tenant);
                await store.MarkWebhookLostAsync(delivery.Id, claim, "the tenant has no webhook secret", Clock.NowMs, stopping);
                return;
            }
            string failure;
            try
            {
                await PostAsync(delivery, tenant.WebhookSecret, stopping);
                await store.MarkWebhookDeliveredAsync(delivery.Id, claim, Clock.NowMs, stopping);
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                // Any failure counts as a failed attempt (refused, timed out, an error status, an address the
                // guard refuses). The handler's messages name the host and port at most, never the path.
                failure = e.Message;
            }
            var delays = api.CurrentValue.WebhookRetryDelays;
            if (delivery.Attempts > delays.Count)
            {
                logger.LogError("Webhook {Event} of job {JobId} to {Url} failed {Attempts} times, the last with {Reason}; giving up",
                    delivery.EventName, delivery.JobId, url, delivery.Attempts, failure);
                await store.MarkWebhookLostAsync(delivery.Id, claim, failure, Clock.NowMs, stopping);
                return;
            }
            var delay = delays[delivery.Attempts - 1];
            logger.LogWarning("Webhook {Event} of job {JobId} to {Url} failed ({Reason}); retrying in {Delay}", delivery.EventName, delivery.JobId, url, failure, delay);
            await store.RetryWebhookAsync(delivery.Id, claim, Clock.NowMs + (long)delay.TotalMilliseconds, failure, stopping);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            // The store failed to record the outcome: the claim lapses and the delivery is attempted again.
            logger.LogError(e, "Could not record the attempt of webhook {Event} of job {JobId} to {Url}", delivery.EventName, delivery.JobId, url);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping: the claim lapses after its lease.
        }
    }

    private async Task PostAsync(WebhookDeliveryRecord delivery, string secret, CancellationToken stopping)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.IdHeader, delivery.Id);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, delivery.Id, timestamp, delivery.Body));
        request.Headers.Add(WebhookSignature.EventHeader, delivery.EventName);
        // The status is all a delivery needs: the body is never read (a receiver answering gigabytes would otherwise be
        // buffered whole), and disposing the response drops the connection rather than drain more than a few KB of it.
        using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stopping);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"the receiver answered {(int)response.StatusCode}", null, response.StatusCode);
    }
}
