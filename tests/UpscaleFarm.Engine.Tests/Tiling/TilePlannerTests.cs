using UpscaleFarm.Engine.Tiling;

namespace UpscaleFarm.Engine.Tests.Tiling;

public class TilePlannerTests
{
    [Theory]
    [InlineData(600, 400, 512, 16)]
    [InlineData(1000, 1000, 128, 16)]
    [InlineData(37, 1001, 100, 8)]
    [InlineData(513, 512, 512, 32)]
    [InlineData(5, 5, 2, 3)]
    public void Cores_cover_every_pixel_exactly_once(int width, int height, int tile, int halo)
    {
        var plan = TilePlanner.Plan(width, height, tile, halo);
        var covered = new int[width * height];
        foreach (var t in plan.Tiles)
            for (var y = t.Core.Y; y < t.Core.Bottom; y++)
                for (var x = t.Core.X; x < t.Core.Right; x++)
                    covered[y * width + x]++;
        Assert.All(covered, c => Assert.Equal(1, c));
        Assert.Equal(plan.Columns * plan.Rows, plan.Tiles.Count);
    }

    [Theory]
    [InlineData(600, 400, 512, 16)]
    [InlineData(1000, 700, 128, 16)]
    [InlineData(300, 300, 64, 24)]
    public void Every_input_window_holds_its_core_and_a_full_halo_except_at_image_edges(int width, int height, int tile, int halo)
    {
        var plan = TilePlanner.Plan(width, height, tile, halo);
        foreach (var t in plan.Tiles)
        {
            Assert.Equal(plan.InputWidth, t.Input.Width);
            Assert.Equal(plan.InputHeight, t.Input.Height);
            Assert.InRange(t.Input.X, 0, width - t.Input.Width);
            Assert.InRange(t.Input.Y, 0, height - t.Input.Height);
            Assert.True(t.Core.X - t.Input.X >= Math.Min(halo, t.Core.X), $"left context of {t}");
            Assert.True(t.Input.Right - t.Core.Right >= Math.Min(halo, width - t.Core.Right), $"right context of {t}");
            Assert.True(t.Core.Y - t.Input.Y >= Math.Min(halo, t.Core.Y), $"top context of {t}");
            Assert.True(t.Input.Bottom - t.Core.Bottom >= Math.Min(halo, height - t.Core.Bottom), $"bottom context of {t}");
        }
    }

    [Fact]
    public void Cores_are_spread_evenly_instead_of_leaving_a_sliver()
    {
        var plan = TilePlanner.Plan(600, 400, 512, 16);
        Assert.Equal(2, plan.Columns);
        Assert.Equal(1, plan.Rows);
        Assert.Equal([300, 300], plan.Tiles.Select(t => t.Core.Width));
        Assert.Equal(332, plan.InputWidth);
        Assert.Equal(400, plan.InputHeight);
    }

    [Fact]
    public void Tile_zero_is_the_whole_image_without_overhead()
    {
        var plan = TilePlanner.Plan(4000, 3000, 0, 16);
        var tile = Assert.Single(plan.Tiles);
        Assert.Equal(new Imaging.PixelRect(0, 0, 4000, 3000), tile.Core);
        Assert.Equal(tile.Core, tile.Input);
        Assert.Equal(0, plan.HaloOverhead);
    }

    [Fact]
    public void Halo_overhead_is_the_share_of_pixels_computed_beyond_those_kept()
    {
        // 4096² in 512 cores with a 16-pixel halo: 64 windows of 544² (shifted at the edges).
        var plan = TilePlanner.Plan(4096, 4096, 512, 16);
        Assert.Equal(64, plan.Tiles.Count);
        Assert.Equal(64.0 * 544 * 544 / (4096.0 * 4096) - 1, plan.HaloOverhead, 9);
    }
}
