using UpscaleFarm.Contracts.V1;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// A tile row. <see cref="Plane"/> 0 is colour, 1 the alpha plane; geometry is in input pixels of the
/// frame. Attempts count every delivery a worker started, crashes included.
/// </summary>
public sealed record TileRecord
{
    public Guid JobId { get; init; }
    public int Frame { get; init; }
    public int Tile { get; init; }
    public int Plane { get; init; }
    public TileState State { get; init; } = TileState.Pending;
    public required TileGeometry Geometry { get; init; }
    public int Attempts { get; init; }
    public string? Worker { get; init; }
    public string? LastError { get; init; }
    public long? StartedMs { get; init; }
    /// <summary>When a worker finished the tile (its pack), on the worker's clock as <see cref="StartedMs"/>; counting it may come a little later.</summary>
    public long? FinishedMs { get; init; }
    public long? InferenceMs { get; init; }
    /// <summary>
    /// True once the tile's input is in the object store. A frame's tiles are recorded uncut before they are cut, and each
    /// becomes dispatchable as its row is cut, so workers start while the rest of the frame is still being cut.
    /// </summary>
    public bool Cut { get; init; } = true;
    /// <summary>The first tile of the tile's pack (<see cref="Packing.TilePacker"/>): its tiles are sent, done and stored together.</summary>
    public int Pack { get; init; }
}
