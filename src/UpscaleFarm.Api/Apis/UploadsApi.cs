using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Api.Uploads;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Apis;

/// <summary>PUT /v1/uploads/{name}: a file into the tenant's upload area, for jobs to name later by reference.</summary>
public static class UploadsApi
{
    public sealed record UploadView(string Object, long Bytes);

    public static void MapUploadsApi(this IEndpointRouteBuilder routes) =>
        routes.MapPut("/v1/uploads/{name}", PutAsync).RequireAuthorization().WithTags("Uploads")
            .WithSummary("Store the request body as uploads/NAME in the caller's area (a job then names it in \"objects\")");

    private static async Task<Results<Created<UploadView>, ProblemHttpResult>> PutAsync(
        string name, HttpContext http, IObjectStore objects, TenantQuotas quotas, IOptionsMonitor<ApiOptions> api, CancellationToken cancellation)
    {
        var caller = Caller.From(http.User, api);
        if (caller.Limits is not { } limits)
            return TypedResults.Problem("the admin key has no upload area; use a tenant's key", statusCode: StatusCodes.Status403Forbidden);
        if (!TenantUploads.IsValidName(name))
            return TypedResults.Problem("an upload name is 1-200 of A-Z, a-z, 0-9, '.', '_' and '-', not starting with '.'", statusCode: StatusCodes.Status400BadRequest);
        if (http.Request.ContentLength > limits.MaxUploadBytes)
            throw UploadRejectedException.TooLarge($"the upload is over this tenant's limit of {limits.MaxUploadBytes} bytes");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = limits.MaxUploadBytes + 1;
        // Counted as it streams into the store, against the upload's limit and the tenant's quota; the store keeps nothing of a write that fails.
        using var quota = await quotas.BeginAsync(caller.Tenant!, limits, cancellation);
        var counted = new CountingStream(http.Request.Body, new ByteBudget(limits.MaxUploadBytes, onSpend: bytes => quota.Spend(bytes)));
        await objects.PutAsync(TenantUploads.Key(caller.Tenant!, name), counted, cancellation);
        quota.Complete();
        return TypedResults.Created($"/v1/uploads/{name}", new UploadView(TenantUploads.Prefix + name, counted.Bytes));
    }
}
