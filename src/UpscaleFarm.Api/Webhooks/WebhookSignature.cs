using System.Security.Cryptography;
using System.Text;

namespace UpscaleFarm.Api.Webhooks;

/// <summary>
/// Webhooks are signed as Standard Webhooks (https://www.standardwebhooks.com/) sign them, so any of its
/// libraries can verify them: webhook-signature is "v1," + base64 HMAC-SHA256 over "ID.TIMESTAMP.BODY",
/// where ID is webhook-id (the delivery's, the same on every attempt, for de-duplication) and TIMESTAMP
/// is webhook-timestamp (unix seconds of the attempt; signed, so a receiver can refuse replays).
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    /// <summary>The event's name ("job.completed", …), outside the standard, so receivers can route before parsing.</summary>
    public const string EventHeader = "X-UpscaleFarm-Event";

    /// <summary>The standard's secret format: this prefix, then the key's bytes in base64.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>
    /// The HMAC key a tenant's WebhookSecret stands for: a "whsec_" secret is the standard's (base64 key
    /// bytes, what its libraries expect); any other string is used as its UTF-8 bytes, as secrets
    /// configured before the standard was adopted were.
    /// </summary>
    public static byte[] Key(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? Convert.FromBase64String(secret[SecretPrefix.Length..]) : Encoding.UTF8.GetBytes(secret);

    /// <summary>Whether <paramref name="secret"/> can be used as a key (a "whsec_" secret must be base64 after its prefix).</summary>
    public static bool IsValidSecret(string secret) =>
        !secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
        || secret.Length > SecretPrefix.Length && Convert.TryFromBase64String(secret[SecretPrefix.Length..], new byte[secret.Length], out _);

    public static string Sign(string secret, string id, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
}
