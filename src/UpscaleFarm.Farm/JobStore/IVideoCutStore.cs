namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// The video jobs whose frames are still to be cut (<see cref="VideoCut"/>): written with the job
/// (<see cref="IJobTransaction.AddVideoCutAsync"/>), leased, cut and closed by a coordinator
/// (<see cref="IJobTransaction.RecordVideoFramesAsync"/>).
/// </summary>
public interface IVideoCutStore
{
    /// <summary>The job's video still to be cut, or null (not a video job, or its frames are recorded).</summary>
    Task<VideoCut?> GetVideoCutAsync(Guid jobId, CancellationToken cancellation = default);

    /// <summary>Every running job's video still to be cut, leased or not: a job ends before its cut is ever taken.</summary>
    Task<IReadOnlyList<QueuedVideoCut>> ListVideoCutsAsync(CancellationToken cancellation = default);

    /// <summary>
    /// Takes the cut for <paramref name="cutter"/> until <paramref name="untilMs"/>, or renews its own lease: true if the cut
    /// was free (never leased, or its lease ran out before <paramref name="nowMs"/>) or already <paramref name="cutter"/>'s.
    /// False when another coordinator holds it, or it is gone (its frames recorded).
    /// </summary>
    Task<bool> LeaseVideoCutAsync(Guid jobId, string cutter, long nowMs, long untilMs, CancellationToken cancellation = default);

    /// <summary>Gives up <paramref name="cutter"/>'s lease, so that any coordinator may take the cut at once.</summary>
    Task ReleaseVideoCutAsync(Guid jobId, string cutter, CancellationToken cancellation = default);
}
