namespace UpscaleFarm.Api.Webhooks;

/// <summary>A webhook delivery's life: scheduled (waiting for its next attempt, or being attempted) → delivered | lost.</summary>
public static class WebhookDeliveryState
{
    public const string Scheduled = "scheduled";
    public const string Delivered = "delivered";
    /// <summary>Every attempt failed (or the tenant no longer has a secret to sign with).</summary>
    public const string Lost = "lost";
}
