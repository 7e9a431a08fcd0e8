namespace UpscaleFarm.Api.Apis;

/// <summary>One page of a job listing.</summary>
public sealed record JobPage(IReadOnlyList<JobView> Items, int Total, int Page, int PageSize);
