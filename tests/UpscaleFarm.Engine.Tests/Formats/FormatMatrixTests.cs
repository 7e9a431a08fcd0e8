using NetVips;
using UpscaleFarm.Engine.Tests.Support;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Imaging;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Engine.Tests.Formats;

/// <summary>Every input kind and output format through the engine, on small crops of the shared images.</summary>
[Collection(ModelsCollection.Name)]
public sealed class FormatMatrixTests(ModelsFixture models) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Image Upscale(string input, string outputName, AlphaMode alpha = AlphaMode.Model, double? scale = null)
    {
        var output = _dir.File(outputName);
        ImageFormats.TryParse(Path.GetExtension(outputName), out var format);
        new ImageUpscaler(models.Session("general-x4v3"), new UpscaleSettings { TileSize = 32, Halo = 8, Alpha = alpha, OutScale = scale })
            .Upscale(input, output, new EncodeOptions(format));
        return TestImages.Load(output);
    }

    [Fact]
    public void Grey_input_gives_a_grey_output()
    {
        var input = TestImages.Crop("camera.png", 200, 100, 48, 40, _dir.File("grey.png"));
        using var result = Upscale(input, "grey-out.png");
        Assert.Equal((192, 160, 1), (result.Width, result.Height, result.Bands));
        Assert.Equal(Enums.BandFormat.Uchar, result.Format);
    }

    [Theory]
    [InlineData(AlphaMode.Model)]
    [InlineData(AlphaMode.Resample)]
    public void Rgba_input_keeps_its_alpha_upscaled(AlphaMode mode)
    {
        // The shared logo.png is RGBA but fully opaque, so the test cuts out its own shape: a photo crop
        // whose left third is transparent.
        using (var photo = TestImages.Load(RepoPaths.SharedImage("chelsea.png")))
        using (var crop = photo.Crop(150, 100, 64, 48))
        using (var x = Image.Xyz(64, 48).ExtractBand(0))
        using (var alpha = (x > 20).Cast(Enums.BandFormat.Uchar))
        using (var rgba = crop.Bandjoin(alpha))
            rgba.Pngsave(_dir.File("rgba.png"));
        var input = _dir.File("rgba.png");
        using var source = TestImages.Load(input);
        using var result = Upscale(input, $"rgba-{mode}.png", mode);
        Assert.Equal((256, 192, 4), (result.Width, result.Height, result.Bands));
        using var sourceAlpha = source.ExtractBand(3);
        using var resultAlpha = result.ExtractBand(3);
        Assert.InRange(sourceAlpha.Min(), 0, 5);
        Assert.InRange(sourceAlpha.Max(), 250, 255);
        Assert.InRange(Math.Abs(resultAlpha.Avg() - sourceAlpha.Avg()), 0, 4);
    }

    [Theory]
    [InlineData("out16.png")]
    [InlineData("out16.tif")]
    public void Sixteen_bit_input_stays_sixteen_bit(string outputName)
    {
        var input = TestImages.Crop("chessboard_GRAY_U16.tif", 20, 20, 40, 40, _dir.File("in16.tif"));
        using var result = Upscale(input, outputName);
        Assert.Equal(Enums.BandFormat.Ushort, result.Format);
        Assert.Equal((160, 160, 1), (result.Width, result.Height, result.Bands));
        Assert.True(result.Max() > 255, "values use the 16-bit range");
    }

    [Fact]
    public void Palette_input_is_expanded_to_rgb_and_keeps_its_colours()
    {
        // A palette PNG of a smooth photo crop (the shared 10×10 palette image is per-pixel noise,
        // which any upscaler reshapes, so it only checks decoding).
        using (var source = TestImages.Load(RepoPaths.SharedImage("chelsea.png")))
        using (var crop = source.Crop(150, 100, 48, 40))
            crop.Pngsave(_dir.File("palette.png"), palette: true);
        Assert.Equal(3, File.ReadAllBytes(_dir.File("palette.png"))[25]); // IHDR colour type 3: indexed
        using var expanded = TestImages.Load(_dir.File("palette.png"));
        using var result = Upscale(_dir.File("palette.png"), "palette-out.png");
        Assert.Equal((192, 160, 3), (result.Width, result.Height, result.Bands));
        for (var band = 0; band < 3; band++)
            Assert.InRange(Math.Abs(result.ExtractBand(band).Avg() - expanded.ExtractBand(band).Avg()), 0, 3);

        using var noise = Upscale(RepoPaths.SharedImage("palette_color.png"), "noise-out.png");
        Assert.Equal((40, 40, 3), (noise.Width, noise.Height, noise.Bands));
    }

    [Theory]
    [InlineData("jpeg-out.jpg")]
    [InlineData("jpeg-out.webp")]
    [InlineData("jpeg-out.tif")]
    [InlineData("jpeg-out.png")]
    public void Jpeg_input_encodes_to_every_output_format(string outputName)
    {
        var input = TestImages.Crop("rocket.jpg", 300, 100, 40, 30, _dir.File("in.jpg"));
        using var result = Upscale(input, outputName);
        Assert.Equal((160, 120, 3), (result.Width, result.Height, result.Bands));
        ImageFormats.TryParse(Path.GetExtension(outputName), out var expected);
        Assert.Equal(expected, ImageFormats.FromLoader((string)result.Get("vips-loader")));
    }

    [Fact]
    public void Webp_and_tiff_inputs_are_read()
    {
        foreach (var name in new[] { "in.webp", "in.tif" })
        {
            var input = TestImages.Crop("chelsea.png", 100, 100, 24, 20, _dir.File(name));
            using var result = Upscale(input, $"{name}.png");
            Assert.Equal((96, 80), (result.Width, result.Height));
        }
    }

    [Fact]
    public void Exif_orientation_is_applied()
    {
        using (var source = TestImages.Load(RepoPaths.SharedImage("rocket.jpg")))
        using (var crop = source.Crop(0, 0, 40, 24))
        using (var rotated = crop.Mutate(m => m.Set(GValue.GIntType, "orientation", 6)))
            rotated.Jpegsave(_dir.File("oriented.jpg"));
        using var result = Upscale(_dir.File("oriented.jpg"), "oriented-out.png");
        Assert.Equal((96, 160), (result.Width, result.Height));
    }

    [Fact]
    public void Icc_profile_is_carried_over()
    {
        var profile = Image.ProfileLoad("p3").ToArray();
        using (var source = TestImages.Load(RepoPaths.SharedImage("chelsea.png")))
        using (var crop = source.Crop(0, 0, 24, 24))
        using (var tagged = crop.Mutate(m => m.Set(GValue.BlobType, "icc-profile-data", profile)))
            tagged.Pngsave(_dir.File("icc.png"));
        using var result = Upscale(_dir.File("icc.png"), "icc-out.png");
        Assert.Equal(profile, (byte[])result.Get("icc-profile-data"));
    }

    [Theory]
    [InlineData(2.0, 48, 40)]
    [InlineData(3.5, 84, 70)]
    [InlineData(4.0, 96, 80)]
    public void Any_output_scale_is_reached_by_resampling_the_model_output(double scale, int width, int height)
    {
        var input = TestImages.Crop("chelsea.png", 100, 100, 24, 20, _dir.File("scale.png"));
        using var result = Upscale(input, $"scale-{scale}.png", scale: scale);
        Assert.Equal((width, height), (result.Width, result.Height));
    }
}
