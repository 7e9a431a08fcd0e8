using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Messaging;

/// <summary>
/// One of the farm's consumers on a queue every process shares: the role that runs it, and its definition (null:
/// MassTransit's default), which names its queue. <see cref="BusConfiguration"/> registers it in the processes of its
/// role; <see cref="RabbitMqTopologySetup"/> declares its queue in every process, from the same name.
/// </summary>
public sealed record FarmConsumer(FarmRoles Role, Type Consumer, Type? Definition)
{
    /// <summary>
    /// The queue MassTransit gives the consumer's endpoint: its definition's EndpointName, else the farm's endpoint name
    /// formatter's name for the consumer. The definition is made as MassTransit makes it, from the services.
    /// </summary>
    public string QueueName(IServiceProvider services)
    {
        var definition = (IConsumerDefinition)ActivatorUtilities.CreateInstance(services,
            Definition ?? typeof(DefaultConsumerDefinition<>).MakeGenericType(Consumer));
        return definition.GetEndpointName(QueueTopology.EndpointNames);
    }

    /// <summary>The messages the consumer takes (a batch consumer's as single messages, as they are published).</summary>
    public IEnumerable<Type> Messages => Consumer.GetInterfaces()
        .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
        .Select(i => i.GetGenericArguments()[0])
        .Select(message => message.IsGenericType && message.GetGenericTypeDefinition() == typeof(Batch<>) ? message.GetGenericArguments()[0] : message);
}
