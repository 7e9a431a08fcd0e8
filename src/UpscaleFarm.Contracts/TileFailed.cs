namespace UpscaleFarm.Contracts.V1;

/// <summary>A tile cannot be done (a poison tile): its job fails with <see cref="Reason"/>.</summary>
public sealed record TileFailed(Guid JobId, int Frame, int Tile, string Worker, string Reason, int Attempts);
