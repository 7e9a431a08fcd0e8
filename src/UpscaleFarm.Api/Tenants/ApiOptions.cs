namespace UpscaleFarm.Api.Tenants;

/// <summary>The API's settings, bound from the "Api" configuration section.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>
    /// How a stored result reaches its client when the store can sign download URLs (S3): redirect (302 to a presigned URL;
    /// the client must reach the store: see Farm:S3PublicUrl) or proxy (the API streams the object). A directory store is
    /// always streamed. Empty (null) is the default, as a chart's unset value renders; anything else stops the start.
    /// </summary>
    public ResultDelivery? ResultDelivery { get; set; } = global::UpscaleFarm.Api.Tenants.ResultDelivery.Redirect;

    public bool ProxiesResults => ResultDelivery == global::UpscaleFarm.Api.Tenants.ResultDelivery.Proxy;

    /// <summary>The tenants and their keys; keys are stored as SHA-256 hashes, never in clear.</summary>
    public List<TenantOptions> Tenants { get; set; } = [];

    /// <summary>SHA-256 (hex) of the admin key, which may read and cancel every tenant's jobs; empty: no admin.</summary>
    public string AdminKeySha256 { get; set; } = "";

    /// <summary>
    /// Let webhooks reach loopback, private, link-local and other non-public addresses. Off, a tenant cannot
    /// make the API post into the farm's own network (see <see cref="Webhooks.WebhookAddresses"/>).
    /// </summary>
    public bool WebhookPrivateNetworks { get; set; }

    /// <summary>
    /// A forward proxy for webhooks (http://host:port), for networks that allow outbound calls only through one; empty:
    /// webhooks connect directly, whatever HTTP_PROXY says. Through a proxy the farm checks the receiver's address only
    /// when the job is submitted: the proxy's own rules must keep webhooks out of internal networks.
    /// </summary>
    public string WebhookProxy { get; set; } = "";

    /// <summary>Requests per second (and burst) of callers without a valid key, per address: key guessing is slow.</summary>
    public int AnonymousRequestsPerSecond { get; set; } = 5;
    public int AnonymousRequestBurst { get; set; } = 20;

    /// <summary>How often each tenant's objects are swept for what its Retention no longer keeps.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Objects of a job that was never created (an interrupted submission) are removed once this old.</summary>
    public TimeSpan OrphanAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a tenant's stored bytes, read from a listing of its objects, are trusted before the next upload lists them again.</summary>
    public TimeSpan StoredBytesRefresh { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Deep Zoom pyramids built at once by this API process (a tenant builds one at a time); more wait their turn.</summary>
    public int MaxConcurrentPyramids { get; set; } = 2;

    /// <summary>The largest JSON body of a job submission (it only names uploads and options).</summary>
    public long MaxJsonBytes { get; set; } = 64 << 10;

    /// <summary>
    /// How long one webhook attempt may take, connecting included; then it counts as failed. It bounds
    /// how long a receiver that accepts connections and never answers holds one of the sender's slots.
    /// </summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Waits between webhook attempts: 9 attempts over about 17 minutes by default.</summary>
    public List<TimeSpan> WebhookRetryDelays { get; set; } =
        [.. new[] { 5, 15, 30, 60, 120, 240, 240, 300 }.Select(seconds => TimeSpan.FromSeconds(seconds))];
}
