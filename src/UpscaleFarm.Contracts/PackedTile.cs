namespace UpscaleFarm.Contracts.V1;

/// <summary>One tile of a <see cref="TileJob"/>'s pack: its number in the frame and where it sits.</summary>
public sealed record PackedTile(int Tile, TileGeometry Geometry);
