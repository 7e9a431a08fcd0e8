using System.Text.Json;
using MassTransit;
using UpscaleFarm.Api.Apis;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Webhooks;

/// <summary>
/// Turns the farm's end-of-job events into scheduled webhook deliveries. It only records them and
/// returns: the <see cref="WebhookSender"/> posts them, so a slow or dead receiver never holds a consumer.
/// </summary>
public sealed class JobEndedConsumer(IJobQueries store, WebhookStore deliveries, WebhookSender sender, ILogger<JobEndedConsumer> logger)
    : IConsumer<JobCompleted>, IConsumer<JobFailed>, IConsumer<JobCancelled>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task Consume(ConsumeContext<JobCompleted> context) => ScheduleAsync(context.Message.JobId, "job.completed", context.CancellationToken);

    public Task Consume(ConsumeContext<JobFailed> context) => ScheduleAsync(context.Message.JobId, "job.failed", context.CancellationToken);

    public Task Consume(ConsumeContext<JobCancelled> context) => ScheduleAsync(context.Message.JobId, "job.cancelled", context.CancellationToken);

    private async Task ScheduleAsync(Guid jobId, string eventName, CancellationToken cancellation)
    {
        if (await store.GetJobAsync(jobId, cancellation) is not { WebhookUrl: { } url } job)
            return;
        var now = Clock.NowMs;
        // The body is the job as it ended, fixed now: every attempt posts the same bytes.
        var body = JsonSerializer.Serialize(new WebhookPayload(eventName, JobView.Of(job, now)), Json);
        var delivery = new WebhookDeliveryRecord
        {
            Id = Guid.NewGuid().ToString("N"), JobId = job.Id, Tenant = job.Tenant, EventName = eventName, Url = url, Body = body,
            State = WebhookDeliveryState.Scheduled, NextAttemptMs = now, CreatedMs = now,
        };
        if (await deliveries.ScheduleWebhookAsync(delivery, cancellation))
            sender.Wake();
        else
            logger.LogInformation("Webhook {Event} of job {JobId} to {Url} was already scheduled", eventName, jobId, RedactedUrl.Of(url));
    }
}
