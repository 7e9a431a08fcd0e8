using NetVips;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Testing;

/// <summary>Small derived test images: crops and resamplings of the shared ones, re-encoded as needed.</summary>
public static class TestImages
{
    public static string Crop(string sharedName, int x, int y, int width, int height, string outputPath)
    {
        VipsSetup.EnsureConfigured();
        using var source = Image.NewFromFile(RepoPaths.SharedImage(sharedName));
        using var crop = source.Crop(x, y, width, height);
        crop.WriteToFile(outputPath);
        return outputPath;
    }

    /// <summary>A shared image resampled (Lanczos-3) to <paramref name="width"/> × <paramref name="height"/>, as PNG.</summary>
    public static string Resized(string sharedName, int width, int height, string outputPath)
    {
        VipsSetup.EnsureConfigured();
        using var source = Image.NewFromFile(RepoPaths.SharedImage(sharedName));
        using var resized = source.Resize((double)width / source.Width, Enums.Kernel.Lanczos3, vscale: (double)height / source.Height);
        resized.Pngsave(outputPath, compression: 1);
        return outputPath;
    }

    public static Image Load(string path)
    {
        VipsSetup.EnsureConfigured();
        return Image.NewFromFile(path, access: Enums.Access.Random);
    }
}
