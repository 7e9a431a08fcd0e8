namespace UpscaleFarm.Models;

/// <summary>A model file that cannot be converted or loaded; the message names the file, layer and reason.</summary>
public sealed class ModelConversionException(string message) : Exception(message);
