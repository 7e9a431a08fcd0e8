using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Apis;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Api.Webhooks;

/// <summary>
/// Posts a job's end to its webhook, signed, retrying on failure after each of the configured delays
/// (receivers go down for minutes, not milliseconds); after the last it logs the loss and gives up.
/// </summary>
public sealed class WebhookDelivery(IHttpClientFactory http, IJobStore store, IOptionsMonitor<ApiOptions> api, ILogger<WebhookDelivery> logger)
{
    public const string HttpClientName = "webhooks";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task DeliverAsync(Guid jobId, string eventName, CancellationToken cancellation)
    {
        if (await store.GetJobAsync(jobId, cancellation) is not { WebhookUrl: { } url } job)
            return;
        if (api.CurrentValue.Tenants.FirstOrDefault(t => t.Name == job.Tenant) is not { WebhookSecret.Length: > 0 } tenant)
            return; // the tenant's secret was removed since: nothing to sign with
        var body = JsonSerializer.Serialize(new WebhookPayload(eventName, JobView.Of(job, Clock.NowMs)), Json);
        var delays = api.CurrentValue.WebhookRetryDelays;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await PostAsync(url, eventName, tenant.WebhookSecret, body, cancellation);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                if (attempt >= delays.Count)
                {
                    logger.LogError(e, "Webhook {Event} of job {JobId} to {Url} failed {Attempts} times; giving up", eventName, jobId, url, attempt + 1);
                    return;
                }
                logger.LogWarning("Webhook {Event} of job {JobId} to {Url} failed ({Reason}); retrying in {Delay}", eventName, jobId, url, e.Message, delays[attempt]);
                await Task.Delay(delays[attempt], cancellation);
            }
        }
    }

    private async Task PostAsync(string url, string eventName, string secret, string body, CancellationToken cancellation)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.EventHeader, eventName);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
        using var response = await http.CreateClient(HttpClientName).SendAsync(request, cancellation);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"webhook {url} answered {(int)response.StatusCode}", null, response.StatusCode);
    }
}
