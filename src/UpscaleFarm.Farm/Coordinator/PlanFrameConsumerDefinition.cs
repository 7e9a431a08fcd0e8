using MassTransit;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>Frames are planned two at a time: each holds a source open and cuts its tiles on four threads.</summary>
public sealed class PlanFrameConsumerDefinition : ConsumerDefinition<PlanFrameConsumer>
{
    public PlanFrameConsumerDefinition() => ConcurrentMessageLimit = 2;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PlanFrameConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.PrefetchCount = 2;
}
