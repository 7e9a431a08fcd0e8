using UpscaleFarm.Api.Apis;

namespace UpscaleFarm.Api.Webhooks;

/// <summary>A webhook's body: "job.completed", "job.failed" or "job.cancelled", and the job as GET /v1/jobs/{id} shows it.</summary>
public sealed record WebhookPayload(string Event, JobView Job);
