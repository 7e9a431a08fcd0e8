namespace UpscaleFarm.Api.Webhooks;

/// <summary>
/// One webhook to post: a job's end event, its body as it was when the job ended, and where its
/// attempts stand. There is at most one per job and event, so a redelivered end event posts once.
/// </summary>
public sealed record WebhookDeliveryRecord
{
    /// <summary>The delivery's id, sent as webhook-id on every attempt so receivers can de-duplicate.</summary>
    public string Id { get; init; } = "";
    public Guid JobId { get; init; }
    public string Tenant { get; init; } = "";
    /// <summary>"job.completed", "job.failed" or "job.cancelled".</summary>
    public string EventName { get; init; } = "";
    public string Url { get; init; } = "";
    public string Body { get; init; } = "";
    public string State { get; init; } = WebhookDeliveryState.Scheduled;
    /// <summary>Attempts started so far (counted when claimed, so a sender that crashed mid-attempt used one).</summary>
    public int Attempts { get; init; }
    /// <summary>When the delivery is next due; while claimed, when the claim's lease ends.</summary>
    public long NextAttemptMs { get; init; }
    /// <summary>The token of the sender attempting it now, if any: only that sender may record the attempt's outcome.</summary>
    public string? Claim { get; init; }
    public string? LastError { get; init; }
    public long CreatedMs { get; init; }
    /// <summary>When it was delivered or given up.</summary>
    public long? FinishedMs { get; init; }
}
