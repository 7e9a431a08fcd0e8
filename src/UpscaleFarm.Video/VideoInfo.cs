namespace UpscaleFarm.Video;

/// <summary>What ffprobe says of a video file, before any frame is decoded.</summary>
/// <param name="EstimatedFrames">From the container's frame count, else duration × average frame rate.</param>
/// <param name="TimeBaseRate">ffprobe's r_frame_rate ("30000/1001"): the lowest rate on whose ticks every frame's timestamp falls.</param>
public sealed record VideoInfo(int Width, int Height, double DurationSeconds, long EstimatedFrames, bool HasAudio, bool HasSubtitles, string TimeBaseRate);
