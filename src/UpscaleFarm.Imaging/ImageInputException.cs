namespace UpscaleFarm.Imaging;

/// <summary>An input image that cannot be used; the message is one line meant for the user.</summary>
public sealed class ImageInputException(string message, Exception? inner = null) : Exception(message, inner);
