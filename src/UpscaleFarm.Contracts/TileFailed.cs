namespace UpscaleFarm.Contracts.V1;

/// <summary>A pack of tiles cannot be done (a poison tile; <see cref="Tile"/> names the pack): its job fails with <see cref="Reason"/>.</summary>
public sealed record TileFailed(Guid JobId, int Frame, int Tile, string Worker, string Reason, int Attempts);
