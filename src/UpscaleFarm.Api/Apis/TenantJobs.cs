using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Apis;

/// <summary>Job lookups scoped to the caller: another tenant's job is reported as missing, never as forbidden.</summary>
public static class TenantJobs
{
    public static async Task<JobRecord?> FindAsync(Guid id, HttpContext http, IJobStore store, IOptionsMonitor<ApiOptions> api, CancellationToken cancellation) =>
        await store.GetJobAsync(id, cancellation) is { } job && Caller.From(http.User, api).Owns(job) ? job : null;

    public static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem($"no job {id:N}", statusCode: StatusCodes.Status404NotFound);
}
