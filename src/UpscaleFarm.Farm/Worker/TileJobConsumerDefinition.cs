using MassTransit;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// The tile queue: a worker takes only as many tiles as it works on at once (prefetch = concurrency),
/// so tiles waiting in the queue go to whichever worker frees up first, and a new worker (KEDA scaling
/// out) finds work instead of an empty queue behind a busy worker's buffer.
/// </summary>
public sealed class TileJobConsumerDefinition : ConsumerDefinition<TileJobConsumer>
{
    private readonly int _concurrency;

    public TileJobConsumerDefinition(IOptions<FarmOptions> options)
    {
        _concurrency = options.Value.Worker.EffectiveConcurrency;
        EndpointName = QueueTopology.TileQueue;
        ConcurrentMessageLimit = _concurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TileJobConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _concurrency;
        QueueTopology.UseTileQueueLimits(endpointConfigurator);
    }
}
