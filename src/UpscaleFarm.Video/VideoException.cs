namespace UpscaleFarm.Video;

/// <summary>
/// A video that cannot be read or written. The message is for the user: short and fixed, never ffmpeg's
/// words, a path or an exception's type. <see cref="Detail"/> is for operators (logs) and is never shown.
/// </summary>
public sealed class VideoException(string message, string? detail = null) : Exception(message)
{
    /// <summary>ffmpeg's stderr, the exit status or the underlying error, as the operator needs it; may name server paths.</summary>
    public string? Detail { get; } = detail;
}
