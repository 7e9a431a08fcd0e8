using UpscaleFarm.Imaging;

namespace UpscaleFarm.Engine.Tiling;

/// <summary>
/// One tile: <see cref="Core"/> is the part of the image it produces, <see cref="Input"/> the window it
/// reads, which is the core plus at least the halo of real context on every side that is not an image edge.
/// </summary>
public readonly record struct Tile(int Index, int Column, int Row, PixelRect Core, PixelRect Input)
{
    /// <summary>Where the core lies inside the input window.</summary>
    public PixelRect CoreInInput => new(Core.X - Input.X, Core.Y - Input.Y, Core.Width, Core.Height);
}
