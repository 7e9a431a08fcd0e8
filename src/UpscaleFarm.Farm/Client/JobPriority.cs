namespace UpscaleFarm.Farm.Client;

/// <summary>A job's priority: its tiles are dispatched before those of every job of lower priority.</summary>
public static class JobPriority
{
    public const int Lowest = 0;
    public const int Default = 5;
    public const int Highest = 9;
}
