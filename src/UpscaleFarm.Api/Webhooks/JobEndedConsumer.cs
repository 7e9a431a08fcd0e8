using MassTransit;
using UpscaleFarm.Contracts.V1;

namespace UpscaleFarm.Api.Webhooks;

/// <summary>Turns the farm's end-of-job events into webhook deliveries.</summary>
public sealed class JobEndedConsumer(WebhookDelivery webhooks) : IConsumer<JobCompleted>, IConsumer<JobFailed>, IConsumer<JobCancelled>
{
    public Task Consume(ConsumeContext<JobCompleted> context) => webhooks.DeliverAsync(context.Message.JobId, "job.completed", context.CancellationToken);

    public Task Consume(ConsumeContext<JobFailed> context) => webhooks.DeliverAsync(context.Message.JobId, "job.failed", context.CancellationToken);

    public Task Consume(ConsumeContext<JobCancelled> context) => webhooks.DeliverAsync(context.Message.JobId, "job.cancelled", context.CancellationToken);
}
