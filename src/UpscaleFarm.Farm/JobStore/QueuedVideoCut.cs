namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// A running job's video waiting to be cut, or being cut, as the coordinators choose the next cut
/// (<see cref="Coordinator.VideoCutService"/>): whose it is, how urgent, and who holds it until when.
/// </summary>
public sealed record QueuedVideoCut
{
    public Guid JobId { get; init; }
    public string Tenant { get; init; } = "";
    public int Priority { get; init; }
    public long CreatedMs { get; init; }

    /// <summary>The coordinator cutting it (<see cref="Configuration.FarmOptions.Instance"/>), or null.</summary>
    public string? Cutter { get; init; }

    /// <summary>
    /// Until when the cutter's lease holds; 0 when none was taken. A lease that ran out belongs to a coordinator that
    /// died or stopped: the cut is anyone's again.
    /// </summary>
    public long LeaseUntilMs { get; init; }

    public bool IsLeasedAt(long nowMs) => LeaseUntilMs > nowMs;
}
