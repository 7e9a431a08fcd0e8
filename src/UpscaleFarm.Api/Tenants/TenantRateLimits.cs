using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace UpscaleFarm.Api.Tenants;

/// <summary>
/// Requests per tenant (ASP.NET Core rate limiting): a token bucket per tenant, refilled at its
/// RequestsPerSecond up to RequestBurst; callers without a valid key share one bucket per address, so
/// guessing keys is slow. Only the API (/v1/…) counts: the console's files and health probes do not.
/// A refused request gets 429 with Retry-After. Buckets live in each API process: behind N replicas a
/// tenant gets up to N times its rate.
/// </summary>
public static class TenantRateLimits
{
    public static IServiceCollection AddTenantRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
            limiter.OnRejected = async (context, cancellation) =>
            {
                var http = context.HttpContext;
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = $"this key's request rate is over its limit; retry after {seconds} s" },
                });
            };
        });

    private static RateLimitPartition<string> Partition(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments("/v1"))
            return RateLimitPartition.GetNoLimiter("unlimited");
        var api = http.RequestServices.GetRequiredService<IOptionsMonitor<ApiOptions>>().CurrentValue;
        if (http.User.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim) is { } tenant
            && api.Tenants.FirstOrDefault(t => t.Name == tenant) is { } options)
            return Bucket($"tenant:{tenant}", options.RequestsPerSecond, options.RequestBurst);
        if (http.User.IsInRole(ApiKeyAuthenticationHandler.AdminRole))
            return RateLimitPartition.GetNoLimiter("admin");
        return Bucket($"anonymous:{http.Connection.RemoteIpAddress}", api.AnonymousRequestsPerSecond, api.AnonymousRequestBurst);
    }

    private static RateLimitPartition<string> Bucket(string key, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            TokensPerPeriod = Math.Max(1, perSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
