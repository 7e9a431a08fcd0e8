using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MassTransit.RabbitMqTransport;
using RabbitMQ.Client;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Messaging;

/// <summary>
/// Declares every farm queue and its bindings when a process starts, before MassTransit does. RabbitMQ
/// drops a message published to an exchange with no bound queue, so without this a tile published
/// while no worker had ever run (a fresh cluster, workers scaled to zero by KEDA before their first
/// start) would be lost. Names, exchange types and arguments are MassTransit's own, so its later
/// declarations match.
/// </summary>
internal sealed class RabbitMqTopologySetup(IOptions<FarmOptions> options, IServiceProvider services, ILogger<RabbitMqTopologySetup> logger) : IHostedService
{
    /// <summary>A process started while the broker is down waits for it within Farm:OutageToleranceSeconds.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        TransientFailures.WaitAtStartAsync(PublicErrors.MessageBroker, DeclareAsync, TimeSpan.FromSeconds(options.Value.OutageToleranceSeconds), logger, cancellationToken);

    private async Task DeclareAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(options.Value.RabbitMqUrl) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var queues = QueueTopology.Consumers.Select(consumer => (Queue: consumer.QueueName(services), consumer.Messages)).ToList();
        foreach (var queue in queues.Select(q => q.Queue).Append(QueueTopology.TileDeadLetterQueue).Distinct())
        {
            // MassTransit's receive topology: an exchange named after the queue, fanning out to it.
            await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: QueueTopology.QueueArguments(queue), cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue, queue, "", cancellationToken: cancellationToken);
        }
        foreach (var (queue, messages) in queues)
        {
            foreach (var message in messages)
            {
                // The same formatter MassTransit names its message exchanges with.
                var exchange = new RabbitMqMessageNameFormatter().GetMessageName(message).ToString();
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
                await channel.ExchangeBindAsync(queue, exchange, "", cancellationToken: cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
