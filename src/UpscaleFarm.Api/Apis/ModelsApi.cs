using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Api.Apis;

/// <summary>/v1/models: the models jobs may name.</summary>
public static class ModelsApi
{
    public static void MapModelsApi(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/v1/models", (ModelCatalog catalog) => TypedResults.Ok(catalog.All.Select(m =>
                new ModelView(m.Id, m.Name, m.Architecture, m.Scale, m.TileSize, m.Halo, m.Id == catalog.Default.Id)).ToList()))
            .RequireAuthorization().WithTags("Models").WithSummary("The models jobs may name");
}
