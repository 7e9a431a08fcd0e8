using UpscaleFarm.Engine.Tiling;

namespace UpscaleFarm.Farm.Packing;

/// <summary>
/// Groups a frame's tiles into packs, the farm's unit of work: neighbours in one row of tiles, as many as fit in
/// <c>packPixels</c> input pixels (halo included) and <c>maxTiles</c>. A broker message, a job-store update each way and
/// an object write and read each way cost about the same for a 32² tile as for a 512² one; a pack pays them once for
/// all its tiles. Tiles of the model's default size (512² and a halo) are over the default budget alone, so each is a
/// pack of its own and nothing changes for them; small tiles travel together. A pack never spans rows, so the
/// assembler still receives whole rows as they finish.
/// </summary>
public static class TilePacker
{
    /// <summary>For each tile of the plan (by index), the index of the first tile of its pack, which names the pack.</summary>
    public static int[] PackStarts(IReadOnlyList<Tile> tiles, long packPixels, int maxTiles)
    {
        var starts = new int[tiles.Count];
        var (start, pixels, count) = (0, 0L, 0);
        for (var i = 0; i < tiles.Count; i++)
        {
            var tile = tiles[i];
            var area = (long)tile.Input.Width * tile.Input.Height;
            var sameRow = i > 0 && tiles[i - 1].Row == tile.Row;
            if (!sameRow || count >= Math.Max(1, maxTiles) || pixels + area > packPixels)
                (start, pixels, count) = (i, 0, 0);
            starts[i] = start;
            pixels += area;
            count++;
        }
        return starts;
    }
}
