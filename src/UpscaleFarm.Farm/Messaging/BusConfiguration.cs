using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Assembler;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Coordinator;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Worker;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Messaging;

/// <summary>
/// MassTransit for the farm: each role's consumers on kebab-case queues, every endpoint with retries
/// (exponential backoff; errors that retrying cannot fix go straight to the _error queue and fail the
/// job) and an in-memory outbox, so a handler's messages are published only once it has succeeded.
/// </summary>
internal static class BusConfiguration
{
    public static void Configure(IBusRegistrationConfigurator bus, FarmOptions options, FarmRoles roles, Action<IBusRegistrationConfigurator>? consumers)
    {
        // MassTransit 8.4+ reports usage to its vendor five minutes after start unless told not to: a farm
        // sends nothing anywhere its operator did not configure (MASSTRANSIT_USAGE_TELEMETRY=true would override this).
        bus.DisableUsageTelemetry();
        bus.SetEndpointNameFormatter(QueueTopology.EndpointNames);
        consumers?.Invoke(bus);
        foreach (var consumer in QueueTopology.Consumers.Where(c => roles.HasFlag(c.Role)))
            bus.AddConsumer(consumer.Consumer, consumer.Definition);
        if (roles.HasFlag(FarmRoles.Worker))
        {
            // Every worker hears of every job that ends early, on a temporary queue of its own that goes when it stops.
            bus.AddConsumer<JobEndedOnWorkerConsumer>().Endpoint(endpoint =>
            {
                endpoint.Name = QueueTopology.WorkerJobEndedQueuePrefix + Guid.NewGuid().ToString("N")[..16];
                endpoint.Temporary = true;
            });
        }
        if (roles.HasFlag(FarmRoles.Assembler) && options.UsesRabbitMq)
            bus.AddConsumer<DeadLetteredTileConsumer>().ExcludeFromConfigureEndpoints();

        var outage = TransientFailures.RetryIntervals(TimeSpan.FromSeconds(options.OutageToleranceSeconds));
        bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
        {
            // Outer: a dependency that is down (storage, database, network) is waited out for up to
            // Farm:OutageToleranceSeconds, holding the message, so a worker whose slots all wait stops pulling.
            endpoint.UseMessageRetry(retry =>
            {
                retry.Handle<Exception>(TransientFailures.IsTransient);
                retry.Intervals(outage);
            });
            // Inner: the message's own failures, a few quick tries; errors retrying cannot fix fail at once.
            endpoint.UseMessageRetry(retry =>
            {
                retry.Exponential(6, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(400));
                retry.Ignore<Exception>(TransientFailures.IsTransient);
                retry.Ignore<ImageInputException>();
                retry.Ignore<ImageOutputException>();
                retry.Ignore<InvalidDataException>();
                retry.Ignore<ObjectNotFoundException>();
            });
            endpoint.UseInMemoryOutbox(context);
            // A worker's own queue of ended jobs is temporary (auto-deleted), which a quorum queue cannot be.
            if (!name.StartsWith(QueueTopology.WorkerJobEndedQueuePrefix, StringComparison.Ordinal))
                QueueTopology.UseQuorumQueue(endpoint);
        });

        if (options.UsesRabbitMq)
        {
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(options.RabbitMqUrl));
                if (roles.HasFlag(FarmRoles.Assembler))
                {
                    cfg.ReceiveEndpoint(QueueTopology.TileDeadLetterQueue, endpoint =>
                    {
                        // Only what the tile queue dead-letters arrives here, not every published TileJob.
                        endpoint.ConfigureConsumeTopology = false;
                        endpoint.SetQuorumQueue();
                        endpoint.ConfigureConsumer<DeadLetteredTileConsumer>(context);
                    });
                }
                cfg.ConfigureEndpoints(context);
            });
        }
        else
        {
            bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        }
    }
}
