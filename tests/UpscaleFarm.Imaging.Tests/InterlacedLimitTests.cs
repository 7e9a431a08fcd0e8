using NetVips;

namespace UpscaleFarm.Imaging.Tests;

/// <summary>Interlaced PNGs and progressive JPEGs decode only whole: they have their own pixel limit, read from the header.</summary>
public sealed class InterlacedLimitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("upscalefarm-interlace-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    public void An_interlaced_image_over_its_limit_is_refused_and_a_plain_one_is_not(string extension)
    {
        VipsSetup.EnsureConfigured();
        using var image = Image.Black(200, 100, bands: 3).Cast(Enums.BandFormat.Uchar) + 128;
        var interlaced = Path.Combine(_dir, $"interlaced.{extension}");
        var plain = Path.Combine(_dir, $"plain.{extension}");
        using (var pixels = image.Cast(Enums.BandFormat.Uchar))
        {
            if (extension == "png")
            {
                pixels.Pngsave(interlaced, interlace: true);
                pixels.Pngsave(plain);
            }
            else
            {
                pixels.Jpegsave(interlaced, interlace: true);
                pixels.Jpegsave(plain);
            }
        }
        var limits = ImageLimits.Default with { MaxInterlacedPixels = 10_000 };
        var refused = Assert.Throws<ImageInputException>(() => SourceImage.Open(interlaced, limits).Dispose());
        Assert.Contains("interlaced", refused.Message);
        SourceImage.Open(plain, limits).Dispose();
        SourceImage.Open(interlaced, ImageLimits.Default).Dispose();
    }
}
