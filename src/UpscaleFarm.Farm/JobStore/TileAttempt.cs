namespace UpscaleFarm.Farm.JobStore;

/// <summary>What a worker may do with a delivered tile.</summary>
/// <param name="Proceed">False when the job is finished (cancelled, failed) or the tile is already done.</param>
/// <param name="Attempts">Deliveries started so far, this one included.</param>
public readonly record struct TileAttempt(bool Proceed, string JobState, int Attempts);
