using MassTransit;
using UpscaleFarm.Farm.Assembler;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Coordinator;
using UpscaleFarm.Farm.Worker;

namespace UpscaleFarm.Farm.Messaging;

/// <summary>
/// RabbitMQ queue settings shared by the farm's endpoints. Quorum queues survive a broker restart
/// with their messages; the tile queue also has a delivery limit and a dead-letter exchange, because
/// RabbitMQ 3.10 quorum queues have no default limit and a tile that kills every worker it reaches
/// would otherwise circle forever (the worker's own attempt count usually stops it first).
/// </summary>
public static class QueueTopology
{
    /// <summary>The tile queue (<see cref="TileJobConsumerDefinition"/>), named in the chart's KEDA trigger.</summary>
    public const string TileQueue = "tile-job";
    public const string TileDeadLetterQueue = "tile-job-dead-letter";

    /// <summary>Redeliveries RabbitMQ allows before dead-lettering a tile; above the worker's own attempt limit.</summary>
    public const int TileDeliveryLimit = 20;

    /// <summary>Each worker's temporary queue of cancelled and failed jobs (<see cref="Worker.JobEndedOnWorkerConsumer"/>) starts with this.</summary>
    public const string WorkerJobEndedQueuePrefix = "worker-job-ended-";

    /// <summary>How endpoints are named from their consumers: job-submitted for JobSubmittedConsumer, and so on.</summary>
    public static readonly IEndpointNameFormatter EndpointNames = KebabCaseEndpointNameFormatter.Instance;

    /// <summary>
    /// The farm's consumers on shared queues. Their queues are named from them (<see cref="FarmConsumer.QueueName"/>),
    /// never listed here: the chart's KEDA trigger and alerts name tile-job and tile-job-dead-letter, the rest are
    /// MassTransit's names for the consumers.
    /// </summary>
    public static readonly FarmConsumer[] Consumers =
    [
        new(FarmRoles.Coordinator, typeof(JobSubmittedConsumer), null),
        new(FarmRoles.Coordinator, typeof(PlanFrameConsumer), typeof(PlanFrameConsumerDefinition)),
        new(FarmRoles.Worker, typeof(TileJobConsumer), typeof(TileJobConsumerDefinition)),
        new(FarmRoles.Assembler, typeof(TileCompletedConsumer), typeof(TileCompletedConsumerDefinition)),
        new(FarmRoles.Assembler, typeof(FrameReadyConsumer), typeof(FrameReadyConsumerDefinition)),
        new(FarmRoles.Assembler, typeof(VideoMuxConsumer), typeof(VideoMuxConsumerDefinition)),
        new(FarmRoles.Assembler, typeof(JobFailureConsumer), null),
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
