namespace UpscaleFarm.Api.Tenants;

/// <summary>One tenant: its key and its limits, all enforced before any pixel is decoded.</summary>
public sealed class TenantOptions
{
    /// <summary>1–64 of a-z, 0-9, '-' and '_': it is also the tenant's prefix in the object store.</summary>
    public string Name { get; set; } = "";

    /// <summary>SHA-256 (hex) of the tenant's API key.</summary>
    public string KeySha256 { get; set; } = "";

    /// <summary>Bytes one job may upload (all its files together).</summary>
    public long MaxUploadBytes { get; set; } = 4L << 30;

    /// <summary>Pixels one image (frame) may declare in its header.</summary>
    public long MaxPixels { get; set; } = 400_000_000;

    public int MaxFrames { get; set; } = 10_000;

    /// <summary>Pixels of one frame's result (after scaling); null: the farm's Farm:Limits:MaxOutputPixels (6.4 GP).</summary>
    public long? MaxOutputPixels { get; set; }

    /// <summary>Bytes the .zip files of one job may inflate to, counted as they inflate (zip bombs).</summary>
    public long MaxUnzippedBytes { get; set; } = 16L << 30;

    /// <summary>The HMAC-SHA256 key the tenant's webhooks are signed with; empty: the tenant cannot ask for webhooks.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>
    /// The highest job priority (0–9) the tenant may ask for; higher is refused with 403. Priorities are strict across the
    /// farm (every tile of a higher priority goes first; tenants share only within a priority), so by default a tenant
    /// may order its own jobs below the default priority (5) but not put them ahead of other tenants' default ones.
    /// </summary>
    public int MaxPriority { get; set; } = Farm.Client.JobPriority.Default;

    /// <summary>The tenant's share of the farm against other tenants with work at the same priority (1–100): twice the weight, twice the tiles in flight.</summary>
    public int Weight { get; set; } = 1;

    /// <summary>Queued and running jobs at once, uploads in progress counted with them; more are refused with 429.</summary>
    public int MaxConcurrentJobs { get; set; } = 20;

    /// <summary>Bytes kept in the store for the tenant: its uploads and its jobs' sources and results (checked as uploads arrive → 413).</summary>
    public long MaxStoredBytes { get; set; } = 100L << 30;

    /// <summary>
    /// Bytes of scratch space the tenant's submissions in progress may hold in an API process at once: copies of uploads
    /// while they are checked, inflated zip entries, a result copied for its Deep Zoom pyramid. More is refused with 429. A video's
    /// frames, cut by the coordinator, are held to it too: from its headers when it is submitted, from its frames when cut. The default is one largest submission (MaxUploadBytes + MaxUnzippedBytes).
    /// </summary>
    public long MaxScratchBytes { get; set; } = (4L << 30) + (16L << 30);

    /// <summary>How long a job's sources and results, and the tenant's uploads, are kept after the job ends (or the upload was put).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Server-sent event streams (GET /v1/jobs/{id}/events) open at once, per API process; more are refused with 429.</summary>
    public int MaxEventStreams { get; set; } = DefaultMaxEventStreams;

    /// <summary>The default of <see cref="MaxEventStreams"/>, and the admin key's.</summary>
    public const int DefaultMaxEventStreams = 20;

    /// <summary>API requests per second (a token bucket refilled at this rate); more get 429 with Retry-After.</summary>
    public int RequestsPerSecond { get; set; } = 20;

    /// <summary>Requests that may come at once before the rate applies (the bucket's size).</summary>
    public int RequestBurst { get; set; } = 200;
}
