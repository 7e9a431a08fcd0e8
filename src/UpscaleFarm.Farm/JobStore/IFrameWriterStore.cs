namespace UpscaleFarm.Farm.JobStore;

/// <summary>The assembler's frame leases (one writer per frame at a time) and its look at which packs are done.</summary>
public interface IFrameWriterStore
{
    /// <summary>
    /// Leases the next planned, unassembled frame of a running job whose writer lease has ended (or was never taken) to
    /// <paramref name="writer"/> until <paramref name="leaseEndMs"/>: highest job priority first, then the oldest job and
    /// frame. A frame is leased to one writer at a time however many ask at once; null if none is free.
    /// </summary>
    Task<FrameRecord?> LeaseNextFrameAsync(string writer, long nowMs, long leaseEndMs, CancellationToken cancellation = default);

    /// <summary>
    /// Leases one frame to <paramref name="writer"/> until <paramref name="leaseEndMs"/>, or renews its lease: true if the
    /// frame is planned and unassembled and its lease is free, ended, or already this writer's.
    /// </summary>
    Task<bool> LeaseFrameAsync(Guid jobId, int frame, string writer, long nowMs, long leaseEndMs, CancellationToken cancellation = default);

    /// <summary>Ends <paramref name="writer"/>'s lease of a frame at once (nothing if it no longer holds it).</summary>
    Task ReleaseFrameAsync(Guid jobId, int frame, string writer, CancellationToken cancellation = default);

    /// <summary>Which of <paramref name="packs"/> (named by their first tiles) of a frame are done.</summary>
    Task<IReadOnlyList<int>> GetDonePacksAsync(Guid jobId, int frame, IReadOnlyCollection<int> packs, CancellationToken cancellation = default);
}
