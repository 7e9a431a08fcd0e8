namespace UpscaleFarm.Contracts.V1;

/// <summary>The owner cancelled the job; workers drop its remaining tiles.</summary>
public sealed record JobCancelled(Guid JobId, DateTimeOffset CancelledAt);
