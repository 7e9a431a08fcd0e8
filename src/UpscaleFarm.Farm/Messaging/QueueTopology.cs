using MassTransit;
using UpscaleFarm.Contracts.V1;

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

    public const string FailureQueue = "job-failure";

    /// <summary>Each worker's temporary queue of cancelled and failed jobs (<see cref="Worker.JobEndedOnWorkerConsumer"/>) starts with this.</summary>
    public const string WorkerJobEndedQueuePrefix = "worker-job-ended-";

    /// <summary>The queue of each message type, as the consumers' endpoints name them.</summary>
    public static readonly (Type Message, string Queue)[] ConsumerQueues =
    [
        (typeof(JobSubmitted), "job-submitted"),
        (typeof(PlanFrame), "plan-frame"),
        (typeof(TileJob), TileQueue),
        (typeof(TileCompleted), "tile-completed"),
        (typeof(FrameReady), "frame-ready"),
        (typeof(MuxVideo), "mux-video"),
        (typeof(TileFailed), FailureQueue),
        (typeof(Fault<TileJob>), FailureQueue),
        (typeof(Fault<PlanFrame>), FailureQueue),
        (typeof(Fault<FrameReady>), FailureQueue),
        (typeof(Fault<JobSubmitted>), FailureQueue),
    ];

    /// <summary>Queue arguments, identical to what the consumer endpoints declare (RabbitMQ refuses a mismatch).</summary>
    public static Dictionary<string, object?> QueueArguments(string queue) => queue == TileQueue
        ? new() { ["x-queue-type"] = "quorum", ["x-delivery-limit"] = TileDeliveryLimit, ["x-dead-letter-exchange"] = TileDeadLetterQueue }
        : new() { ["x-queue-type"] = "quorum" };

    public static void UseQuorumQueue(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.SetQuorumQueue();
    }

    public static void UseTileQueueLimits(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is not IRabbitMqReceiveEndpointConfigurator rabbit)
            return;
        foreach (var (key, value) in QueueArguments(TileQueue).Where(a => a.Key != "x-queue-type"))
            rabbit.SetQueueArgument(key, value);
    }
}
