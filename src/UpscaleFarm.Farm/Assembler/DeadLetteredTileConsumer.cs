using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Reads the tile queue's dead-letter queue: RabbitMQ moved a tile there after its delivery limit, so
/// its workers kept dying before they could even count it. The job fails instead of waiting forever.
/// </summary>
public sealed class DeadLetteredTileConsumer(JobLifecycle lifecycle) : IConsumer<TileJob>
{
    public async Task Consume(ConsumeContext<TileJob> context)
    {
        var tile = context.Message;
        var reason = $"tile {tile.Tile} of frame {tile.Frame} was delivered {QueueTopology.TileDeliveryLimit} times without completing";
        await lifecycle.FailAsync(tile.JobId, reason, context.CancellationToken);
    }
}
