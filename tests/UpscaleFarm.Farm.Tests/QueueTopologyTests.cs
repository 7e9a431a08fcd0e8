using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The queues are named from the consumers' definitions, and those names are the ones on the wire: the chart's KEDA
/// trigger and alerts name tile-job, and a broker that already holds the farm's queues must find the same ones.
/// </summary>
public sealed class QueueTopologyTests
{
    [Fact]
    public void Every_shared_queue_keeps_its_name_on_the_wire()
    {
        var data = Directory.CreateTempSubdirectory("upscalefarm-queues-").FullName;
        try
        {
            using var host = FarmHost.Build(_ => FarmRoles.None, useDefaults: false, farm: farm => farm.DataDirectory = data);
            Assert.Equal(["job-submitted", "plan-frame", QueueTopology.TileQueue, "tile-completed", "frame-ready", "video-mux", "job-failure"],
                QueueTopology.Consumers.Select(consumer => consumer.QueueName(host.Services)));
            Assert.Equal("tile-job", QueueTopology.TileQueue);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void Each_queue_is_bound_to_the_messages_its_consumer_takes()
    {
        var messages = QueueTopology.Consumers.ToDictionary(c => c.Consumer.Name, c => c.Messages.Select(m => m.Name).Order().ToArray());
        // A batch consumer's messages are published one by one: its queue is bound to the message, not the batch.
        Assert.Equal(["TileCompleted"], messages["TileCompletedConsumer"]);
        Assert.Equal(["MuxVideo"], messages["VideoMuxConsumer"]);
        Assert.Contains("Fault`1", messages["JobFailureConsumer"]);
        Assert.Contains("TileFailed", messages["JobFailureConsumer"]);
    }
}
