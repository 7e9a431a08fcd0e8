namespace UpscaleFarm.Api.Apis;

/// <summary>
/// POST /v1/jobs as JSON: images already in the tenant's upload area ("uploads/NAME", put with
/// PUT /v1/uploads/NAME) and the same options as the multipart form.
/// </summary>
public sealed record JobSubmission(
    IReadOnlyList<string> Objects, string? Model = null, double? Scale = null, string? Format = null, int? Quality = null,
    int? Tile = null, int? Halo = null, string? Alpha = null, string? Webhook = null, int? Priority = null);
