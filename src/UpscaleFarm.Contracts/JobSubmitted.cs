namespace UpscaleFarm.Contracts.V1;

/// <summary>
/// A job was accepted: its sources are in the object store and its record (frames, options) is in the
/// job store, which stays the one source of truth; the coordinator may plan it.
/// </summary>
public sealed record JobSubmitted(Guid JobId, string Tenant, int Frames, DateTimeOffset SubmittedAt);
