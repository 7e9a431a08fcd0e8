using NetVips;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Engine.Tests.Support;

/// <summary>Small derived test images: crops of the shared ones, re-encoded as needed.</summary>
public static class TestImages
{
    public static string Crop(string sharedName, int x, int y, int width, int height, string outputPath)
    {
        VipsSetup.EnsureConfigured();
        using var source = Image.NewFromFile(TestPaths.SharedImage(sharedName));
        using var crop = source.Crop(x, y, width, height);
        crop.WriteToFile(outputPath);
        return outputPath;
    }

    public static Image Load(string path)
    {
        VipsSetup.EnsureConfigured();
        return Image.NewFromFile(path, access: Enums.Access.Random);
    }
}
