namespace UpscaleFarm.Farm.JobStore;

/// <summary>A frame's life: pending → planned (tiles recorded; cut, and dispatched, row by row: <see cref="TileRecord.Cut"/>) → assembled.</summary>
public static class FrameState
{
    public const string Pending = "pending";
    public const string Planned = "planned";
    public const string Assembled = "assembled";
}
