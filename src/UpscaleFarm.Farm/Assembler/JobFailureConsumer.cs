using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Fails a job once with a reason its owner can act on: a poison tile, or a step whose retries ran out
/// (MassTransit's Fault after the message went to its _error queue). Workers then drop the job's
/// remaining tiles, so the queues drain.
/// </summary>
public sealed class JobFailureConsumer(IJobStore store) :
    IConsumer<TileFailed>, IConsumer<Fault<TileJob>>, IConsumer<Fault<PlanFrame>>, IConsumer<Fault<FrameReady>>, IConsumer<Fault<JobSubmitted>>
{
    public Task Consume(ConsumeContext<TileFailed> context) =>
        FailAsync(context, context.Message.JobId, context.Message.Reason);

    public Task Consume(ConsumeContext<Fault<TileJob>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"tile {context.Message.Message.Tile} of frame {context.Message.Message.Frame} failed: {Reason(context.Message)}");

    public Task Consume(ConsumeContext<Fault<PlanFrame>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"planning frame {context.Message.Message.Frame} failed: {Reason(context.Message)}");

    public Task Consume(ConsumeContext<Fault<FrameReady>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"assembling frame {context.Message.Message.Frame} failed: {Reason(context.Message)}");

    public Task Consume(ConsumeContext<Fault<JobSubmitted>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"starting the job failed: {Reason(context.Message)}");

    private static string Reason(Fault fault) =>
        fault.Exceptions.FirstOrDefault() is { } e ? $"{e.Message} ({e.ExceptionType.Split('.').Last()})" : "unknown error";

    private async Task FailAsync(ConsumeContext context, Guid jobId, string reason)
    {
        if (await store.FinishJobAsync(jobId, JobState.Failed, reason, Clock.NowMs, context.CancellationToken))
            await context.Publish(new JobFailed(jobId, reason, DateTimeOffset.UtcNow));
    }
}
