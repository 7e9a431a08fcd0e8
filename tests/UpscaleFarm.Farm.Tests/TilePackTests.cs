using UpscaleFarm.Engine.Tiling;
using UpscaleFarm.Farm.Packing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>How tiles are grouped into packs, and the object a pack travels in.</summary>
public sealed class TilePackTests
{
    [Fact]
    public void Packs_hold_neighbours_of_one_row_within_the_pixel_and_count_limits()
    {
        // 100x70 in tiles of at most 32: 4 columns by 3 rows of 25x24 (the last row 22 high, its windows still 24), no halo.
        var plan = TilePlanner.Plan(100, 70, 32, 0);
        Assert.Equal([0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8], TilePacker.PackStarts(plan.Tiles, packPixels: 1 << 20, maxTiles: 64));
        Assert.Equal([0, 0, 2, 2, 4, 4, 6, 6, 8, 8, 10, 10], TilePacker.PackStarts(plan.Tiles, packPixels: 1 << 20, maxTiles: 2));
        // 3 windows of 25x24 fit in 1 800 pixels; the row's fourth starts a pack.
        Assert.Equal([0, 0, 0, 3, 4, 4, 4, 7, 8, 8, 8, 11], TilePacker.PackStarts(plan.Tiles, packPixels: 1800, maxTiles: 64));
        // A tile over the budget alone is a pack of its own, as are all tiles with a budget of 0.
        Assert.Equal(Enumerable.Range(0, 12), TilePacker.PackStarts(plan.Tiles, packPixels: 0, maxTiles: 64));
    }

    [Fact]
    public void A_pack_gives_back_its_parts_and_refuses_what_it_is_not()
    {
        var parts = new[] { new byte[] { 1, 2, 3 }, [], new byte[] { 4 } }.Select(p => new ArraySegment<byte>(p)).ToList();
        // A longer buffer (a pooled one) is fine: the pack is the part written.
        var packed = TilePack.Write(parts, length => new byte[length + 7]);
        var bytes = packed.ToArray();
        var located = TilePack.Parts(bytes, 3);
        Assert.Equal([[1, 2, 3], [], [4]], located.Select(p => bytes[p.Offset..(p.Offset + p.Length)]));

        Assert.Throws<InvalidDataException>(() => TilePack.Parts(packed.ToArray(), 2));
        Assert.Throws<InvalidDataException>(() => TilePack.Parts(packed.ToArray()[..^1], 3));
        Assert.Throws<InvalidDataException>(() => TilePack.Parts(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, 1));
    }
}
