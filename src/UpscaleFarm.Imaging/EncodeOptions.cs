namespace UpscaleFarm.Imaging;

/// <summary>How the result is encoded.</summary>
public sealed record EncodeOptions(ImageFormat Format)
{
    /// <summary>JPEG/WebP quality 1..100.</summary>
    public int Quality { get; init; } = 95;

    /// <summary>PNG zlib level 0..9: 3 is near the smallest files at a fraction of level 9's time.</summary>
    public int PngCompression { get; init; } = 3;
}
