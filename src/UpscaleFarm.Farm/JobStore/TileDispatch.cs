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
    public int InputX { get; init; }
    public int InputY { get; init; }
    public int InputWidth { get; init; }
    public int InputHeight { get; init; }
    public int CoreX { get; init; }
    public int CoreY { get; init; }
    public int CoreWidth { get; init; }
    public int CoreHeight { get; init; }
}
