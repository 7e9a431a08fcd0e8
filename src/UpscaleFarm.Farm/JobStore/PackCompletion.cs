namespace UpscaleFarm.Farm.JobStore;

/// <summary>A worker's report that a pack (named by its first tile) is done: what <see cref="IJobTransaction.CompletePacksAsync"/> records.</summary>
public readonly record struct PackCompletion(Guid JobId, int Frame, int Pack, string Worker, long InferenceMs);
