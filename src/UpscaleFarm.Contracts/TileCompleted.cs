namespace UpscaleFarm.Contracts.V1;

/// <summary>A worker wrote a tile's output; the assembler counts it once, however often it arrives.</summary>
public sealed record TileCompleted(Guid JobId, int Frame, int Tile, string Worker, TimeSpan InferenceTime, DateTimeOffset CompletedAt);
