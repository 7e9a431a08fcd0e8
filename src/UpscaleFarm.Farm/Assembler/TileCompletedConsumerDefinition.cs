using MassTransit;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Completions are counted in batches: up to Assembler:CompletionBatchSize reports, or whatever arrived within
/// CompletionBatchMs of the first, in one job-store transaction. A farm of GPUs reports thousands of packs a second, and
/// a commit each would make the job store's commits, not its work, the limit (docs/scaling.md).
/// </summary>
public sealed class TileCompletedConsumerDefinition(IOptions<FarmOptions> options) : ConsumerDefinition<TileCompletedConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TileCompletedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        var assembler = options.Value.Assembler;
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(Math.Max(1, assembler.CompletionBatchSize))
            .SetTimeLimit(TimeSpan.FromMilliseconds(Math.Max(1, assembler.CompletionBatchMs)))
            .SetConcurrencyLimit(2));
    }
}
