using UpscaleFarm.Imaging;

namespace UpscaleFarm.Engine.Tiling;

/// <summary>
/// Cuts an image into tiles that reproduce whole-image inference. Cores are spread evenly (a 600-pixel
/// side with 512-pixel tiles becomes two 300-pixel cores, not 512 + 88). Each input window is the core
/// grown by the halo and, at an image edge, shifted inwards instead of shrunk: the extra context is
/// real pixels, the edge keeps the zero padding that whole-image inference sees there, and every
/// window has the same size, so tiles batch together and the session sees a single shape.
/// </summary>
public static class TilePlanner
{
    /// <param name="tileSize">Largest core side; 0 means the whole image as one tile.</param>
    /// <param name="halo">Context pixels on each side of a core.</param>
    public static TilePlan Plan(int width, int height, int tileSize, int halo)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), "the image is empty");
        if (tileSize < 0 || halo < 0)
            throw new ArgumentOutOfRangeException(nameof(tileSize), "tile size and halo cannot be negative");

        var (columns, coreWidth) = Split(width, tileSize);
        var (rows, coreHeight) = Split(height, tileSize);
        var inputWidth = Math.Min(width, coreWidth + (columns > 1 ? 2 * halo : 0));
        var inputHeight = Math.Min(height, coreHeight + (rows > 1 ? 2 * halo : 0));

        var tiles = new List<Tile>(columns * rows);
        for (var row = 0; row < rows; row++)
        {
            var (coreY, coreH) = Span(row, coreHeight, height);
            var inputY = Math.Clamp(coreY - halo, 0, height - inputHeight);
            for (var column = 0; column < columns; column++)
            {
                var (coreX, coreW) = Span(column, coreWidth, width);
                var inputX = Math.Clamp(coreX - halo, 0, width - inputWidth);
                tiles.Add(new Tile(tiles.Count, column, row,
                    new PixelRect(coreX, coreY, coreW, coreH),
                    new PixelRect(inputX, inputY, inputWidth, inputHeight)));
            }
        }
        return new TilePlan(width, height, columns, rows, inputWidth, inputHeight, halo, tiles);
    }

    private static (int Count, int Core) Split(int length, int tileSize)
    {
        if (tileSize == 0 || length <= tileSize)
            return (1, length);
        var count = (length + tileSize - 1) / tileSize;
        return (count, (length + count - 1) / count);
    }

    private static (int Start, int Length) Span(int index, int core, int total)
    {
        var start = index * core;
        return (start, Math.Min(core, total - start));
    }
}
