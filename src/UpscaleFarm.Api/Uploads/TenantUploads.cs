using System.Text.RegularExpressions;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// A tenant's upload area, tenants/{tenant}/uploads/{name}: files put once with PUT /v1/uploads/{name}
/// and named by later jobs ("uploads/{name}"). Names are one path segment the server checks, so a client
/// can never reach a key outside its tenant's prefix.
/// </summary>
public static partial class TenantUploads
{
    public const string Prefix = "uploads/";

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    public static string Key(string tenant, string name) => $"tenants/{tenant}/{Prefix}{name}";

    /// <summary>The full key for a name a job gives ("uploads/scan.tif"), or null if it is not one of the tenant's uploads.</summary>
    public static string? KeyOfReference(string tenant, string reference) =>
        reference.StartsWith(Prefix, StringComparison.Ordinal) && IsValidName(reference[Prefix.Length..]) ? Key(tenant, reference[Prefix.Length..]) : null;

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}\z")]
    private static partial Regex NamePattern();
}
