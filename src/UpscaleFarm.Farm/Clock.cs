namespace UpscaleFarm.Farm;

/// <summary>Timestamps in the job store: Unix milliseconds, the same in SQLite and PostgreSQL.</summary>
public static class Clock
{
    public static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
