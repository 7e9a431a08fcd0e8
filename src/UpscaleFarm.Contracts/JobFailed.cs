namespace UpscaleFarm.Contracts.V1;

/// <summary>The job stopped with a reason meant for its owner.</summary>
public sealed record JobFailed(Guid JobId, string Reason, DateTimeOffset FailedAt);
