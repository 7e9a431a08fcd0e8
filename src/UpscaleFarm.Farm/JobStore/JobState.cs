namespace UpscaleFarm.Farm.JobStore;

/// <summary>A job's life: queued → running → completed | failed | cancelled (the last three are final).</summary>
public static class JobState
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string state) => state is Completed or Failed or Cancelled;
}
