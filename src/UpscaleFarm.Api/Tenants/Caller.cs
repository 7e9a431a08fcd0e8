using System.Security.Claims;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Tenants;

/// <summary>Who is calling: a tenant, scoped to its own jobs, or the admin, who sees every tenant's.</summary>
public sealed record Caller(string? Tenant, TenantOptions? Limits)
{
    public bool IsAdmin => Tenant is null;

    public static Caller From(ClaimsPrincipal user, IOptionsMonitor<ApiOptions> api)
    {
        if (user.IsInRole(ApiKeyAuthenticationHandler.AdminRole))
            return new Caller(null, null);
        var tenant = user.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim)
            ?? throw new InvalidOperationException("an authenticated caller without a tenant");
        return new Caller(tenant, api.CurrentValue.Tenants.First(t => t.Name == tenant));
    }

    /// <summary>Whether the caller may see the job: another tenant's job is treated as missing (404), never as forbidden.</summary>
    public bool Owns(JobRecord job) => IsAdmin || job.Tenant == Tenant;
}
