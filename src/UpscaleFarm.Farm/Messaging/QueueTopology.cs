using MassTransit;

namespace UpscaleFarm.Farm.Messaging;

/// <summary>
/// RabbitMQ queue settings shared by the farm's endpoints. Quorum queues survive a broker restart
/// with their messages; the tile queue also has a delivery limit and a dead-letter exchange, because
/// RabbitMQ 3.10 quorum queues have no default limit and a tile that kills every worker it reaches
/// would otherwise circle forever (the worker's own attempt count usually stops it first).
/// </summary>
public static class QueueTopology
{
    public const string TileQueue = "tile-job";
    public const string TileDeadLetterQueue = "tile-job-dead-letter";

    /// <summary>Redeliveries RabbitMQ allows before dead-lettering a tile; above the worker's own attempt limit.</summary>
    public const int TileDeliveryLimit = 20;

    public static void UseQuorumQueue(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.SetQuorumQueue();
    }

    public static void UseTileQueueLimits(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is not IRabbitMqReceiveEndpointConfigurator rabbit)
            return;
        rabbit.SetQueueArgument("x-delivery-limit", TileDeliveryLimit);
        rabbit.SetQueueArgument("x-dead-letter-exchange", TileDeadLetterQueue);
    }
}
