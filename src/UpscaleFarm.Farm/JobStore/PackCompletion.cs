namespace UpscaleFarm.Farm.JobStore;

/// <summary>A worker's report that a pack (named by its first tile) is done: what <see cref="IJobTransaction.CompletePacksAsync"/> records.</summary>
/// <param name="FinishedMs">When the worker finished it, on the worker's clock (as the tiles' started_ms): null for "now".</param>
public readonly record struct PackCompletion(Guid JobId, int Frame, int Pack, string Worker, long InferenceMs, long? FinishedMs = null);
