namespace UpscaleFarm.Farm.JobStore;

/// <summary>A frame's life: pending → planned (tiles published) → assembled.</summary>
public static class FrameState
{
    public const string Pending = "pending";
    public const string Planned = "planned";
    public const string Assembled = "assembled";
}
