namespace UpscaleFarm.Contracts.V1;

/// <summary>Every frame is assembled; the results are at <see cref="ResultKeys"/>, one per frame.</summary>
public sealed record JobCompleted(Guid JobId, IReadOnlyList<string> ResultKeys, DateTimeOffset CompletedAt);
