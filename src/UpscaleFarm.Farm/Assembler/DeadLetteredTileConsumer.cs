using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Farm.Worker;

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
        var reason = $"{TileJobConsumer.Name(tile)} {(tile.Tiles.Count == 1 ? "was" : "were")} delivered {QueueTopology.TileDeliveryLimit} times without completing";
        await lifecycle.FailAsync(tile.JobId, reason, context.CancellationToken);
    }
}
