namespace UpscaleFarm.Api.Retention;

/// <summary>Objects one retention pass deleted, by reason.</summary>
public sealed record SweepCounts(int Uploads, int ExpiredJobObjects, int TilesOfEndedJobs, int OrphanedObjects)
{
    public int Total => Uploads + ExpiredJobObjects + TilesOfEndedJobs + OrphanedObjects;
}
