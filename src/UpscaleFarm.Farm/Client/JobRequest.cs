namespace UpscaleFarm.Farm.Client;

/// <summary>What a submitter asks for; null tile settings and model mean the model's and the catalog's defaults.</summary>
public sealed record JobRequest
{
    public string Tenant { get; init; } = "default";
    public string? Model { get; init; }
    public JobOptions Options { get; init; } = new();
    /// <summary>A second submission with the same key (per tenant) returns the first job instead of a new one.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>An absolute http(s) URL to notify when the job ends.</summary>
    public string? WebhookUrl { get; init; }
    /// <summary>0–9 (<see cref="JobPriority"/>): higher-priority jobs' tiles are dispatched first.</summary>
    public int Priority { get; init; } = JobPriority.Default;
    /// <summary>The submitter's share of the farm against others at the same priority (the API sets its tenant's weight).</summary>
    public int Weight { get; init; } = 1;
    /// <summary>A video job's source video, already stored with its frame timestamps: the frames are encoded back into a video.</summary>
    public string? VideoKey { get; init; }
}
