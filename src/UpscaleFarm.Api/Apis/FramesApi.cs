using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Apis;

/// <summary>
/// /v1/jobs/{id}/frames: a job's frames, each frame's tiles (what the console's tile map draws), its
/// source and its result (the before/after of one frame).
/// </summary>
public static class FramesApi
{
    public static void MapFramesApi(this IEndpointRouteBuilder routes)
    {
        var frames = routes.MapGroup("/v1/jobs/{id:guid}/frames").RequireAuthorization().WithTags("Frames");
        frames.MapGet("/", ListAsync).WithSummary("The job's frames with their sizes and progress");
        frames.MapGet("/{frame:int}/tiles", TilesAsync).WithSummary("A frame's tiles: where each lies in the source, its state and worker");
        frames.MapGet("/{frame:int}/source", SourceAsync).WithSummary("A frame's source image as uploaded");
        frames.MapGet("/{frame:int}/result", ResultAsync).WithSummary("A frame's upscaled image, once assembled");
    }

    private static async Task<Results<Ok<List<FrameView>>, ProblemHttpResult>> ListAsync(
        Guid id, [AsParameters] JobAccess access, CancellationToken cancellation)
    {
        if (await access.FindAsync(id, cancellation) is null)
            return JobAccess.NotFound(id);
        return TypedResults.Ok((await access.Queries.GetFramesAsync(id, cancellation))
            .Select(f => new FrameView(f.Frame, f.Name, f.State.Name, f.Width, f.Height, f.Scale, f.TilesDone, f.TilesTotal)).ToList());
    }

    private static async Task<Results<Ok<List<TileView>>, ProblemHttpResult>> TilesAsync(
        Guid id, int frame, [AsParameters] JobAccess access, CancellationToken cancellation)
    {
        if (await access.FindAsync(id, cancellation) is null)
            return JobAccess.NotFound(id);
        return TypedResults.Ok((await access.Queries.GetTilesAsync(id, frame, cancellation))
            .Select(t => new TileView(t.Tile, t.Plane, t.Geometry.CoreX, t.Geometry.CoreY, t.Geometry.CoreWidth, t.Geometry.CoreHeight, t.State.Name, t.Worker, t.Attempts)).ToList());
    }

    private static async Task<IResult> SourceAsync(
        Guid id, int frame, [AsParameters] JobAccess access, IObjectStore objects, CancellationToken cancellation)
    {
        if (await access.FindFrameAsync(id, frame, cancellation) is not (_, { } record))
            return JobAccess.NotFound(id);
        return TypedResults.Stream(await objects.OpenReadAsync(record.SourceKey, cancellation), "application/octet-stream", record.Name);
    }

    private static async Task<IResult> ResultAsync(
        Guid id, int frame, [AsParameters] JobAccess access, IObjectStore objects, CancellationToken cancellation)
    {
        if (await access.FindFrameAsync(id, frame, cancellation) is not ({ } job, { } record))
            return JobAccess.NotFound(id);
        if (record.ResultKey is null)
            return TypedResults.Problem($"frame {frame} is {record.State}; its result exists once it is assembled", statusCode: StatusCodes.Status409Conflict);
        return TypedResults.Stream(await objects.OpenReadAsync(record.ResultKey, cancellation), MediaTypes.OfExtension(Path.GetExtension(record.ResultKey)),
            $"{Path.GetFileNameWithoutExtension(record.Name)}.{job.Options.Format}");
    }

}
