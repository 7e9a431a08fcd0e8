using UpscaleFarm.Contracts.V1;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>A planned tile claimed for the tile queue, with what its message needs from its job and frame.</summary>
public sealed class TileDispatch
{
    public Guid JobId { get; init; }
    public string Tenant { get; init; } = "";
    public string Model { get; init; } = "";
    public string? TraceParent { get; init; }
    public int Frame { get; init; }
    public int Tile { get; init; }
    public int Pack { get; init; }
    public int Plane { get; init; }
    public bool IsGray { get; init; }
    public required TileGeometry Geometry { get; init; }
}
