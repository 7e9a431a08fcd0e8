using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace UpscaleFarm.Api.Tenants;

/// <summary>
/// Authenticates "Authorization: Bearer KEY" or "X-Api-Key: KEY" against the configured tenants' key
/// hashes. The tenant becomes the caller's identity; every lookup is then scoped to it.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logger, UrlEncoder encoder, IOptionsMonitor<ApiOptions> api)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string TenantClaim = "tenant";
    public const string AdminRole = "admin";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadKey(Request);
        if (key is null)
            return Task.FromResult(AuthenticateResult.NoResult());
        var options = api.CurrentValue;
        if (options.AdminKeySha256.Length > 0 && ApiKeyHash.Matches(key, options.AdminKeySha256))
            return Task.FromResult(Success(new Claim(ClaimTypes.Role, AdminRole), new Claim(ClaimTypes.Name, "admin")));
        // Every tenant is compared, so the time taken does not depend on which one matched.
        var tenant = options.Tenants.Aggregate((TenantOptions?)null, (found, t) => ApiKeyHash.Matches(key, t.KeySha256) ? t : found);
        return Task.FromResult(tenant is null
            ? AuthenticateResult.Fail("unknown API key")
            : Success(new Claim(TenantClaim, tenant.Name), new Claim(ClaimTypes.Name, tenant.Name)));
    }

    private AuthenticateResult Success(params Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));

    private static string? ReadKey(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() is { Length: > 7 } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization[7..].Trim();
        return request.Headers["X-Api-Key"].ToString() is { Length: > 0 } header ? header : null;
    }
}
