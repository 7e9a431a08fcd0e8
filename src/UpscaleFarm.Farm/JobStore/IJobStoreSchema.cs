namespace UpscaleFarm.Farm.JobStore;

/// <summary>The tables: created or upgraded at start, and what an earlier build left in upgraded rows moved out.</summary>
public interface IJobStoreSchema
{
    /// <summary>Creates the tables if they are missing (safe to call from several processes at once).</summary>
    Task MigrateAsync(CancellationToken cancellation = default);

    /// <summary>A frame whose ICC profile an earlier build kept in its row (a database upgraded in place), or null once none is left.</summary>
    Task<LegacyIccProfile?> FindLegacyIccProfileAsync(CancellationToken cancellation = default);

    /// <summary>Drops a frame's legacy ICC profile from its row, recording <paramref name="key"/> (the object it was moved to; null: dropped).</summary>
    Task MoveLegacyIccProfileAsync(Guid jobId, int frame, string? key, CancellationToken cancellation = default);
}
