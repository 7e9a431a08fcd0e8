namespace UpscaleFarm.Api.Tenants;

/// <summary>The API's settings, bound from the "Api" configuration section.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

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
    /// How long one webhook attempt may take, connecting included; then it counts as failed. It bounds
    /// how long a receiver that accepts connections and never answers holds one of the sender's slots.
    /// </summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Waits between webhook attempts: 9 attempts over about 17 minutes by default.</summary>
    public List<TimeSpan> WebhookRetryDelays { get; set; } =
        [.. new[] { 5, 15, 30, 60, 120, 240, 240, 300 }.Select(seconds => TimeSpan.FromSeconds(seconds))];
}
