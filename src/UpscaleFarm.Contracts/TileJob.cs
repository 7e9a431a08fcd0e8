namespace UpscaleFarm.Contracts.V1;

/// <summary>
/// One unit of work for a worker: a pack of neighbouring tiles of one row of one plane (<see cref="Tiles"/>, in order;
/// one tile when tiles are large). Read <see cref="InputKey"/> (the tiles' input windows, halo included, as one pack),
/// run the model on each, and write their kept cores to <see cref="OutputKey"/> as one pack, with
/// <see cref="OutputBands"/> bands (1 for a grey or alpha plane, 3 for colour). <see cref="Tile"/> is the pack's first
/// tile, which names it. The same key always receives the same bytes, so a redelivered pack is harmless.
/// <see cref="Tenant"/> labels the worker's spans.
/// </summary>
public sealed record TileJob(Guid JobId, int Frame, int Tile, string Model, string InputKey, string OutputKey, IReadOnlyList<PackedTile> Tiles, int OutputBands,
    string Tenant = "");
