namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// What one <see cref="IDispatchStore.ClaimTilesAsync"/> claimed for the tile queue, in order, and how many packs were already
/// in the queue and not yet started by a worker when it looked (what the dispatcher measures the workers' pace by).
/// </summary>
public sealed record TileClaim(IReadOnlyList<TileDispatch> Tiles, int QueuedBefore);
