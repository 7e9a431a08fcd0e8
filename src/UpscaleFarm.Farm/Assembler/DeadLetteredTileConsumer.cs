using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Reads the tile queue's dead-letter queue: RabbitMQ moved a tile there after its delivery limit, so
/// its workers kept dying before they could even count it. The job fails instead of waiting forever.
/// </summary>
public sealed class DeadLetteredTileConsumer(IJobStore store) : IConsumer<TileJob>
{
    public async Task Consume(ConsumeContext<TileJob> context)
    {
        var tile = context.Message;
        var reason = $"tile {tile.Tile} of frame {tile.Frame} was delivered {QueueTopology.TileDeliveryLimit} times without completing";
        if (await store.FinishJobAsync(tile.JobId, JobState.Failed, reason, Clock.NowMs, context.CancellationToken))
            await context.Publish(new JobFailed(tile.JobId, reason, DateTimeOffset.UtcNow));
    }
}
