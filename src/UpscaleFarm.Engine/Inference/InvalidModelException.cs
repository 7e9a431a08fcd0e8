namespace UpscaleFarm.Engine.Inference;

/// <summary>A model that cannot be loaded or used for upscaling; the message is meant for the user.</summary>
public sealed class InvalidModelException(string message) : Exception(message);
