using MassTransit;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>Assembly concurrency bounds the assembler's memory: one strip per frame in progress.</summary>
public sealed class FrameReadyConsumerDefinition : ConsumerDefinition<FrameReadyConsumer>
{
    private readonly int _frames;

    public FrameReadyConsumerDefinition(IOptions<FarmOptions> options)
    {
        _frames = Math.Max(1, options.Value.Assembler.ConcurrentFrames);
        ConcurrentMessageLimit = _frames;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<FrameReadyConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.PrefetchCount = _frames;
}
