using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Apis;

/// <summary>
/// What a job endpoint needs about its caller, bound once per request (<c>[AsParameters]</c>): who is calling, their
/// jobs through the farm's read queries, and the API's settings. Another tenant's job is reported as missing (404),
/// never as forbidden. Writes go through <see cref="Farm.Client.FarmClient"/>.
/// </summary>
/// <remarks>Each constructor parameter is also a property of the same name: how <c>[AsParameters]</c> binds a class.</remarks>
public sealed class JobAccess(HttpContext http, IJobQueries queries, IOptionsMonitor<ApiOptions> settings)
{
    private Caller? _caller;

    public HttpContext Http { get; } = http;

    public IJobQueries Queries { get; } = queries;

    public IOptionsMonitor<ApiOptions> Settings { get; } = settings;

    public ApiOptions Api => Settings.CurrentValue;

    public Caller Caller => _caller ??= Caller.From(Http.User, Settings);

    /// <summary>The job if it exists and the caller may see it.</summary>
    public async Task<JobRecord?> FindAsync(Guid id, CancellationToken cancellation) =>
        await Queries.GetJobAsync(id, cancellation) is { } job && Caller.Owns(job) ? job : null;

    /// <summary>A frame of a job the caller may see, with its job.</summary>
    public async Task<(JobRecord Job, FrameRecord Frame)?> FindFrameAsync(Guid id, int frame, CancellationToken cancellation) =>
        await FindAsync(id, cancellation) is { } job && await Queries.GetFrameAsync(id, frame, cancellation) is { } record ? (job, record) : null;

    public static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem($"no job {id:N}", statusCode: StatusCodes.Status404NotFound);
}
