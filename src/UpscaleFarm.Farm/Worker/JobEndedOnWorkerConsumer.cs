using MassTransit;
using UpscaleFarm.Contracts.V1;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// Tells this worker that a job was cancelled or failed, so the packs of it that it holds stop (<see cref="EndedJobs"/>).
/// Every worker receives every such message: its endpoint is the worker's own, temporary one (a queue of its own on
/// RabbitMQ, removed when the worker stops). A message missed (a worker starting) costs only the tiles already held: the
/// packs a worker takes later find their job ended when they count their attempt.
/// </summary>
public sealed class JobEndedOnWorkerConsumer(EndedJobs ended) : IConsumer<JobCancelled>, IConsumer<JobFailed>
{
    public Task Consume(ConsumeContext<JobCancelled> context)
    {
        ended.End(context.Message.JobId);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<JobFailed> context)
    {
        ended.End(context.Message.JobId);
        return Task.CompletedTask;
    }
}
