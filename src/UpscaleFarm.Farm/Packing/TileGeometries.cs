using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Engine.Tiling;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Farm.Packing;

/// <summary>
/// A tile's <see cref="TileGeometry"/> (the one type that carries it from the planner through the job store and the tile
/// message to the worker and the assembler) as the engine's rectangles: built from the planner's <see cref="Tile"/>, read
/// back as its input window, its core, and the core's place in the window.
/// </summary>
public static class TileGeometries
{
    public static TileGeometry From(Tile tile) => new(tile.Input.X, tile.Input.Y, tile.Input.Width, tile.Input.Height,
        tile.Core.X, tile.Core.Y, tile.Core.Width, tile.Core.Height);

    public static PixelRect Input(this TileGeometry geometry) => new(geometry.InputX, geometry.InputY, geometry.InputWidth, geometry.InputHeight);

    public static PixelRect Core(this TileGeometry geometry) => new(geometry.CoreX, geometry.CoreY, geometry.CoreWidth, geometry.CoreHeight);

    /// <summary>Where the core lies inside the input window: what the worker keeps of the model's output.</summary>
    public static PixelRect CoreInInput(this TileGeometry geometry) =>
        new(geometry.CoreX - geometry.InputX, geometry.CoreY - geometry.InputY, geometry.CoreWidth, geometry.CoreHeight);
}
