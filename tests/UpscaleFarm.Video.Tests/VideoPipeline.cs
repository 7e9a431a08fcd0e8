using UpscaleFarm.Video;

namespace UpscaleFarm.Video.Tests;

/// <summary>What the API does with an uploaded video, in order: probe, read the timestamps, cut the frames.</summary>
public static class VideoPipeline
{
    public static async Task<(VideoInfo Info, IReadOnlyList<double> Times, IReadOnlyList<string> Frames)> ReadAsync(string video, string frames,
        long maxFrames = 100)
    {
        var info = await VideoProbe.ProbeAsync(video, MediaLimits.Default, CancellationToken.None);
        var times = await VideoProbe.FrameTimesAsync(video, info, maxFrames, MediaLimits.Default, CancellationToken.None);
        return (info, times, await FrameExtractor.ExtractAsync(video, info, frames, maxFrames, MediaLimits.Default, CancellationToken.None));
    }

    /// <summary>
    /// Asserts that the message is fit for a user: none of ffmpeg's words, no path (so no '/'), no exception type.
    /// </summary>
    public static void AssertUserMessage(VideoException e, string scratch)
    {
        Assert.DoesNotContain("/", e.Message);
        Assert.DoesNotContain(scratch, e.Message);
        foreach (var word in (string[])["Invalid data", "moov", "Exception", "ffprobe", "No such file", "Protocol"])
            Assert.DoesNotContain(word, e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
