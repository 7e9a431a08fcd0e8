using MassTransit;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>One video at a time per assembler: ffmpeg's encoder already uses every core.</summary>
public sealed class VideoMuxConsumerDefinition : ConsumerDefinition<VideoMuxConsumer>
{
    public VideoMuxConsumerDefinition() => ConcurrentMessageLimit = 1;
}
