using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Faults;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>Counts a finished tile once in the job store; the count that completes a frame announces it.</summary>
public sealed class TileCompletedConsumer(IJobStore store, FaultInjection faults) : IConsumer<TileCompleted>
{
    public async Task Consume(ConsumeContext<TileCompleted> context)
    {
        var m = context.Message;
        var count = await store.CompleteTileAsync(m.JobId, m.Frame, m.Tile, m.Worker, (long)m.InferenceTime.TotalMilliseconds, Clock.NowMs, context.CancellationToken);
        if (count.FrameComplete)
        {
            faults.At(FaultInjection.FrameTilesCounted);
            await context.Publish(new FrameReady(m.JobId, m.Frame));
        }
    }
}
