namespace UpscaleFarm.Contracts.V1;

/// <summary>
/// One tile for a worker: read <see cref="InputKey"/> (the tile's input window, halo included), run
/// the model, write the kept core to <see cref="OutputKey"/> with <see cref="OutputBands"/> bands
/// (1 for a grey or alpha plane, 3 for colour). The same key always receives the same bytes, so a
/// redelivered tile is harmless. <see cref="Tenant"/> labels the worker's spans.
/// </summary>
public sealed record TileJob(Guid JobId, int Frame, int Tile, string Model, string InputKey, string OutputKey, TileGeometry Geometry, int OutputBands,
    string Tenant = "");
