using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Lifecycle;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Counts a finished pack's tiles once in the job store; the count that completes a frame announces it (through the outbox).
/// Progressive frame writers in this process are woken to look for their next row.
/// </summary>
public sealed class TileCompletedConsumer(JobLifecycle lifecycle, TileCompletedSignal completed) : IConsumer<TileCompleted>
{
    public async Task Consume(ConsumeContext<TileCompleted> context)
    {
        var m = context.Message;
        await lifecycle.CompletePackAsync(m.JobId, m.Frame, m.Tile, m.Worker, (long)m.InferenceTime.TotalMilliseconds, context.CancellationToken);
        completed.Notify();
    }
}
