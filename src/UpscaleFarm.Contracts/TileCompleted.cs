namespace UpscaleFarm.Contracts.V1;

/// <summary>
/// A worker wrote the outputs of the pack that starts at <see cref="Tile"/> (<see cref="TileJob"/>); the assembler counts
/// its tiles once, however often it arrives.
/// </summary>
public sealed record TileCompleted(Guid JobId, int Frame, int Tile, string Worker, TimeSpan InferenceTime, DateTimeOffset CompletedAt);
