using System.Security.Cryptography;
using System.Text;

namespace UpscaleFarm.Api.Tenants;

/// <summary>
/// API keys are random and long, so a plain SHA-256 is the right store for them (a slow password hash
/// buys nothing against a 256-bit secret and would cost every request).
/// </summary>
public static class ApiKeyHash
{
    public static string Of(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Compares in constant time, so response timing says nothing about how close a guess was.</summary>
    public static bool Matches(string key, string expectedHex) =>
        expectedHex.Length == 64 && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Of(key)), Encoding.ASCII.GetBytes(expectedHex.ToLowerInvariant()));

    /// <summary>A new random key (256 bits, URL-safe).</summary>
    public static string NewKey() => "ufk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
