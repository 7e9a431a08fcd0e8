using UpscaleFarm.Engine.Tests.Support;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Imaging;
using UpscaleFarm.Testing;
using Xunit.Abstractions;

namespace UpscaleFarm.Engine.Tests.Tiling;

/// <summary>Tiled output against whole-image inference of the same image: no visible seams.</summary>
[Collection(ModelsCollection.Name)]
public class SeamTests(ModelsFixture models, ITestOutputHelper output)
{
    private ImageComparison TiledAgainstWhole(string model, string image, int tile, int halo)
    {
        using var dir = new TempDirectory();
        var session = models.Session(model);
        var encode = new EncodeOptions(ImageFormat.Png);
        new ImageUpscaler(session, new UpscaleSettings { TileSize = 0, Halo = 0 }).Upscale(image, dir.File("whole.png"), encode);
        var tiled = new ImageUpscaler(session, new UpscaleSettings { TileSize = tile, Halo = halo }).Upscale(image, dir.File("tiled.png"), encode);
        Assert.True(tiled.Tiles > 1, "the image must be cut into several tiles");
        var comparison = ImageComparison.Compare(dir.File("whole.png"), dir.File("tiled.png"));
        output.WriteLine($"{model} tile {tile} halo {halo} ({tiled.Tiles} tiles, overhead {tiled.HaloOverhead:P1}): {comparison}");
        return comparison;
    }

    [Fact]
    public void General_x4v3_at_its_default_tiling_matches_whole_image_inference()
    {
        // Large enough for the default tiles to cut it 2 × 2.
        using var dir = new TempDirectory();
        var image = TestImages.Resized("rocket.jpg", 1100, 760, dir.File("rocket-1100.png"));
        var entry = models.Catalog.Find("general-x4v3");
        var comparison = TiledAgainstWhole("general-x4v3", image, entry.TileSize, entry.Halo);
        Assert.True(comparison.Psnr >= 60, comparison.ToString());
    }

    [Fact]
    public void General_x4v3_with_many_small_tiles_has_no_seams()
    {
        var comparison = TiledAgainstWhole("general-x4v3", RepoPaths.SharedImage("chelsea.png"), 128, 16);
        Assert.True(comparison.Psnr >= 60, comparison.ToString());
    }

    [Fact]
    public void Tiles_without_a_halo_leave_seams_that_the_check_detects()
    {
        // The control: pasting tiles without context (Real-ESRGAN's tile_pad 0) must fail the seam threshold.
        var comparison = TiledAgainstWhole("general-x4v3", RepoPaths.SharedImage("chelsea.png"), 128, 0);
        Assert.True(comparison.Psnr < 50, comparison.ToString());
    }

    [Fact]
    public void X4plus_with_its_default_halo_has_no_seams()
    {
        using var dir = new TempDirectory();
        var crop = TestImages.Crop("chelsea.png", 150, 60, 192, 128, dir.File("crop.png"));
        var halo = models.Catalog.Find("x4plus").Halo;
        var comparison = TiledAgainstWhole("x4plus", crop, 96, halo);
        Assert.True(comparison.Psnr >= 55, comparison.ToString());
    }
}
