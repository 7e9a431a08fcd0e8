namespace UpscaleFarm.Contracts.V1;

/// <summary>How a job's frames are upscaled and encoded; null tile settings mean the model's defaults.</summary>
public sealed record JobOptions(string Model, double? Scale, string Format, int Quality, int? TileSize, int? Halo, string Alpha, int Priority);
