namespace UpscaleFarm.Imaging;

/// <summary>An output that cannot be written; the message is one line meant for the user.</summary>
public sealed class ImageOutputException(string message, Exception? inner = null) : Exception(message, inner);
