namespace UpscaleFarm.Engine.Tiling;

/// <summary>The tiles of one image, in row-major order. Every tile's input window has the same size.</summary>
public sealed record TilePlan(int ImageWidth, int ImageHeight, int Columns, int Rows, int InputWidth, int InputHeight, int Halo, IReadOnlyList<Tile> Tiles)
{
    public IEnumerable<Tile> Row(int row) => Tiles.Skip(row * Columns).Take(Columns);

    /// <summary>Pixels computed beyond those kept, as a share of those kept (0 when untiled).</summary>
    public double HaloOverhead => (double)Tiles.Count * InputWidth * InputHeight / ((double)ImageWidth * ImageHeight) - 1;
}
