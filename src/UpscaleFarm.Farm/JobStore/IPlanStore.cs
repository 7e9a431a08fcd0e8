namespace UpscaleFarm.Farm.JobStore;

/// <summary>The coordinator's planning: a job started, a frame's plan and tiles recorded, its tiles made dispatchable as they are cut.</summary>
public interface IPlanStore
{
    /// <summary>queued → running; false if the job was not queued.</summary>
    Task<bool> StartJobAsync(Guid jobId, long nowMs, CancellationToken cancellation = default);

    /// <summary>
    /// Records a frame's plan and tiles (as <see cref="TileRecord.Cut"/> says: a frame is planned from its header, before its
    /// tiles are cut); false (and nothing written) if it was already planned.
    /// </summary>
    Task<bool> SaveFramePlanAsync(FrameRecord frame, IReadOnlyList<TileRecord> tiles, CancellationToken cancellation = default);

    /// <summary>Marks tiles cut (their inputs are in the object store): from now on the dispatcher can claim them. Repeating it changes nothing.</summary>
    Task MarkTilesCutAsync(Guid jobId, int frame, IReadOnlyList<int> tiles, CancellationToken cancellation = default);
}
