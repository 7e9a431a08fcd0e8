using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Api.Viewing;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Apis;

/// <summary>/v1/jobs/{id}/frames/{frame}/dzi/…: a frame result as a Deep Zoom pyramid, for viewers such as OpenSeadragon.</summary>
public static partial class DeepZoomApi
{
    public static void MapDeepZoomApi(this IEndpointRouteBuilder routes)
    {
        var dzi = routes.MapGroup("/v1/jobs/{id:guid}/frames/{frame:int}/dzi").RequireAuthorization().WithTags("Frames");
        dzi.MapGet("/image.dzi", DescriptorAsync).WithSummary("The Deep Zoom descriptor of a frame's result (the pyramid is made on first request)");
        dzi.MapGet("/image_files/{level:int}/{tile}", TileAsync).WithSummary("One tile of a frame's Deep Zoom pyramid");
    }

    private static async Task<IResult> DescriptorAsync(Guid id, int frame, [AsParameters] JobAccess access, IObjectStore objects,
        DeepZoomPyramids pyramids, CancellationToken cancellation)
    {
        if (await access.FindFrameAsync(id, frame, cancellation) is not ({ } job, { } record))
            return JobAccess.NotFound(id);
        if (record.ResultKey is null)
            return TypedResults.Problem($"frame {frame} is {record.State}; it can be viewed once assembled", statusCode: StatusCodes.Status409Conflict);
        var prefix = await pyramids.EnsureAsync(job, record, access.Caller.Limits, cancellation);
        return TypedResults.Stream(await objects.OpenReadAsync(prefix + DeepZoomPyramids.Descriptor, cancellation), "application/xml");
    }

    private static async Task<IResult> TileAsync(Guid id, int frame, int level, string tile, [AsParameters] JobAccess access, IObjectStore objects, CancellationToken cancellation)
    {
        if (!TileName().IsMatch(tile) || await access.FindAsync(id, cancellation) is not { } job)
            return JobAccess.NotFound(id);
        try
        {
            var key = Farm.FarmKeys.DeepZoom(job.Tenant, job.Id, frame) + $"image_files/{level}/{tile}";
            return TypedResults.Stream(await objects.OpenReadAsync(key, cancellation), "image/jpeg");
        }
        catch (ObjectNotFoundException)
        {
            return TypedResults.NotFound();
        }
    }

    [GeneratedRegex(@"^[0-9]{1,6}_[0-9]{1,6}\.jpeg\z")]
    private static partial Regex TileName();
}
