using MassTransit;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Worker;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Fails a job once with a reason its owner can act on: a poison tile, or a step whose retries ran out
/// (MassTransit's Fault after the message went to its _error queue). Workers then drop the job's
/// remaining tiles, so the queues drain.
/// </summary>
public sealed class JobFailureConsumer(JobLifecycle lifecycle, ILogger<JobFailureConsumer> logger) :
    IConsumer<TileFailed>, IConsumer<Fault<TileJob>>, IConsumer<Fault<PlanFrame>>, IConsumer<Fault<FrameReady>>, IConsumer<Fault<JobSubmitted>>,
    IConsumer<Fault<TileCompleted>>, IConsumer<Fault<MuxVideo>>
{
    public Task Consume(ConsumeContext<TileFailed> context) =>
        FailAsync(context, context.Message.JobId, context.Message.Reason);

    public Task Consume(ConsumeContext<Fault<TileJob>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"{TileJobConsumer.Name(context.Message.Message)} failed: {Reason(context.Message)}", context.Message);

    public Task Consume(ConsumeContext<Fault<PlanFrame>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"planning frame {context.Message.Message.Frame} failed: {Reason(context.Message)}", context.Message);

    public Task Consume(ConsumeContext<Fault<FrameReady>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"assembling frame {context.Message.Message.Frame} failed: {Reason(context.Message)}", context.Message);

    public Task Consume(ConsumeContext<Fault<JobSubmitted>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"starting the job failed: {Reason(context.Message)}", context.Message);

    public Task Consume(ConsumeContext<Fault<TileCompleted>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"counting the pack of tile {context.Message.Message.Tile} of frame {context.Message.Message.Frame} failed: {Reason(context.Message)}", context.Message);

    public Task Consume(ConsumeContext<Fault<MuxVideo>> context) =>
        FailAsync(context, context.Message.Message.JobId, $"encoding the video failed: {Reason(context.Message)}", context.Message);

    // The tenant sees the message of an error about its input, else a fixed sentence: the rest is for the log below.
    private static string Reason(Fault fault) =>
        fault.Exceptions.FirstOrDefault() is { } e ? PublicErrors.Describe(e.ExceptionType, e.Message) : PublicErrors.Internal;

    private async Task FailAsync(ConsumeContext context, Guid jobId, string reason, Fault? fault = null)
    {
        if (fault?.Exceptions.FirstOrDefault() is { } cause)
            logger.LogError("Job {JobId} fails: {Reason}; cause: {ExceptionType}: {Message}\n{StackTrace}",
                jobId, reason, cause.ExceptionType, cause.Message, cause.StackTrace);
        await lifecycle.FailAsync(jobId, reason, context.CancellationToken);
    }
}
