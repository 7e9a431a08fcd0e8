namespace UpscaleFarm.Video;

/// <summary>What ffprobe says of a video file, before any frame is decoded.</summary>
/// <param name="EstimatedFrames">From the container's frame count, else duration × average frame rate: a header's claim, to be checked by counting.</param>
/// <param name="TimeBaseRate">ffprobe's r_frame_rate ("30000/1001"): the lowest rate on whose ticks every frame's timestamp falls.</param>
/// <param name="Container">The container sniffed from the file's bytes, whose demuxer every later run of ffmpeg on it uses.</param>
/// <param name="StreamIndex">The absolute index of the video stream these numbers describe, the only one ever decoded: another
/// video stream (larger, or a cover picture listed first) is never mapped.</param>
public sealed record VideoInfo(int Width, int Height, double DurationSeconds, long EstimatedFrames, bool HasAudio, bool HasSubtitles, string TimeBaseRate,
    MediaContainer Container, int StreamIndex);
