namespace UpscaleFarm.Farm.JobStore;

/// <summary>An ICC profile an earlier build kept in its frame's row, for a frame planned and not yet assembled.</summary>
public sealed record LegacyIccProfile(Guid JobId, string Tenant, int Frame, byte[] Profile);
