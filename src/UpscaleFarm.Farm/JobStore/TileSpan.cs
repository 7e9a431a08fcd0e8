namespace UpscaleFarm.Farm.JobStore;

/// <summary>When a job's first tile started and its last finished (unix ms): the edges of its tile stage.</summary>
public sealed record TileSpan(long? FirstStartedMs, long? LastFinishedMs);
