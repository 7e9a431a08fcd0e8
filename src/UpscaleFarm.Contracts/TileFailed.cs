namespace UpscaleFarm.Contracts.V1;

/// <summary>A tile attempt failed; <see cref="Permanent"/> when retrying cannot help (a poison tile).</summary>
public sealed record TileFailed(Guid JobId, int Frame, int Tile, string Worker, string Reason, int Attempt, bool Permanent);
