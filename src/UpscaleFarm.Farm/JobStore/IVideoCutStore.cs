namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// The video jobs whose frames are still to be cut (<see cref="VideoCut"/>): written with the job
/// (<see cref="IJobTransaction.AddVideoCutAsync"/>), read and closed by the coordinator.
/// </summary>
public interface IVideoCutStore
{
    /// <summary>The job's video still to be cut, or null (not a video job, or its frames are recorded).</summary>
    Task<VideoCut?> GetVideoCutAsync(Guid jobId, CancellationToken cancellation = default);

    /// <summary>
    /// Records the frames cut from the job's video, in one transaction: the frames, the job's frame count, its reservation
    /// raised to <paramref name="reservedBytes"/> if the frames need more than the headers promised, and the cut's row
    /// removed. False, changing nothing, when the row was already gone (another delivery recorded the frames) or the job
    /// is no longer running.
    /// </summary>
    Task<bool> RecordVideoFramesAsync(Guid jobId, IReadOnlyList<FrameSource> frames, long reservedBytes, CancellationToken cancellation = default);
}
