using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Messaging;

/// <summary>
/// How many tiles wait, ready, in the broker's tile queue: a passive declare on a short-lived connection (the
/// reconciler asks once a minute). Null where it cannot be told (the in-memory transport).
/// </summary>
public sealed class TileQueueProbe(IOptions<FarmOptions> options)
{
    public async Task<uint?> ReadyTilesAsync(CancellationToken cancellation)
    {
        if (!options.Value.UsesRabbitMq)
            return null;
        var factory = new ConnectionFactory { Uri = new Uri(options.Value.RabbitMqUrl) };
        await using var connection = await factory.CreateConnectionAsync(cancellation);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellation);
        return (await channel.QueueDeclarePassiveAsync(QueueTopology.TileQueue, cancellation)).MessageCount;
    }
}
