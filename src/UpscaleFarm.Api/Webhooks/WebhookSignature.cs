using System.Security.Cryptography;
using System.Text;

namespace UpscaleFarm.Api.Webhooks;

/// <summary>
/// The signature on a webhook: "sha256=" + hex HMAC-SHA256 over "TIMESTAMP.BODY" with the tenant's
/// secret. The timestamp (unix seconds, in its own header) is signed too, so a receiver can refuse
/// replays of old deliveries.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-UpscaleFarm-Signature";
    public const string TimestampHeader = "X-UpscaleFarm-Timestamp";
    public const string EventHeader = "X-UpscaleFarm-Event";

    public static string Sign(string secret, long timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
