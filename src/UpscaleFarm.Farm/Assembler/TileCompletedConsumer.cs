using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Counts finished packs' tiles once in the job store, a batch of reports in one transaction
/// (<see cref="TileCompletedConsumerDefinition"/>); the count that completes a frame announces it (through the outbox).
/// Progressive frame writers in this process are woken to look for their next row.
/// </summary>
public sealed class TileCompletedConsumer(JobLifecycle lifecycle, TileCompletedSignal completed) : IConsumer<Batch<TileCompleted>>
{
    public async Task Consume(ConsumeContext<Batch<TileCompleted>> context)
    {
        var packs = context.Message.Select(m => m.Message)
            .Select(m => new PackCompletion(m.JobId, m.Frame, m.Tile, m.Worker, (long)m.InferenceTime.TotalMilliseconds, m.CompletedAt.ToUnixTimeMilliseconds()))
            .ToList();
        await lifecycle.CompletePacksAsync(packs, context.CancellationToken);
        completed.Notify();
    }
}
