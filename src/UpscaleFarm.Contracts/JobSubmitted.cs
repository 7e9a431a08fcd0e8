namespace UpscaleFarm.Contracts.V1;

/// <summary>A job was accepted: its sources are in the object store and the coordinator may plan it.</summary>
/// <param name="SourceKeys">One object key per frame, in frame order (a single image is one frame).</param>
public sealed record JobSubmitted(Guid JobId, string Tenant, IReadOnlyList<string> SourceKeys, JobOptions Options, DateTimeOffset SubmittedAt);
