namespace UpscaleFarm.Farm.JobStore;

/// <summary>What a worker may do with a delivered tile.</summary>
/// <param name="Proceed">False when the job is not running (cancelled, failed, gone) or the tile is already done.</param>
/// <param name="Attempts">Deliveries started so far, this one included.</param>
/// <param name="LastError">The error the previous attempt recorded, if any.</param>
public readonly record struct TileAttempt(bool Proceed, int Attempts, string? LastError);
