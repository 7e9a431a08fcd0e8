namespace UpscaleFarm.Farm.Configuration;

/// <summary>Farm:Transport: how the farm's processes exchange messages. Written in any case ("rabbitmq", "RabbitMq").</summary>
public enum FarmTransport
{
    /// <summary>MassTransit's in-memory transport: every role in one process, its queues gone with it.</summary>
    InMemory,

    /// <summary>RabbitMQ at Farm:RabbitMqUrl: durable queues shared by processes on any machine.</summary>
    RabbitMq,
}
