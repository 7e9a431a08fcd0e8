namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// Work whose next message was never published (a process died, or a publish failed, between a state
/// change and its message): jobs queued but never started, frames whose tiles are all done but which were
/// never assembled, and running jobs whose frames are all assembled but which were never completed.
/// </summary>
public sealed record StalledWork(IReadOnlyList<Guid> QueuedJobs, IReadOnlyList<(Guid JobId, int Frame)> CompleteFrames, IReadOnlyList<Guid> AssembledJobs)
{
    public int Count => QueuedJobs.Count + CompleteFrames.Count + AssembledJobs.Count;
}
