namespace UpscaleFarm.Models.Catalog;

/// <summary>A model id that is not in the catalog, or whose file is missing.</summary>
public sealed class UnknownModelException(string message) : Exception(message);
