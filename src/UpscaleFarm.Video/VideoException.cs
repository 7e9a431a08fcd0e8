namespace UpscaleFarm.Video;

/// <summary>A video that cannot be read or written; the message is for the user.</summary>
public sealed class VideoException(string message) : Exception(message);
