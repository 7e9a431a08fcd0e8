using NetVips;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>Benchmark inputs of a chosen size, made from a real photo.</summary>
public static class BenchImage
{
    /// <summary>Resamples <paramref name="image"/> to "WxH" with Lanczos-3 and saves it as PNG.</summary>
    /// <param name="interlaced">Writes an Adam7 PNG, or a progressive JPEG when the output's name ends in .jpg: the sources libvips decodes only whole.</param>
    public static string Resized(string image, string size, string output, bool interlaced = false)
    {
        var parts = size.Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var width) || !int.TryParse(parts[1], out var height) || width <= 0 || height <= 0)
            throw new ArgumentException($"--size must be WIDTHxHEIGHT, not '{size}'");
        VipsSetup.EnsureConfigured();
        using var source = Image.NewFromFile(image);
        using var resized = source.Resize((double)width / source.Width, Enums.Kernel.Lanczos3, vscale: (double)height / source.Height);
        if (output.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
            resized.Jpegsave(output, q: 90, interlace: interlaced);
        else
            resized.Pngsave(output, compression: 1, interlace: interlaced);
        return output;
    }
}
