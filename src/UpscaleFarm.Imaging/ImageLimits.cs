namespace UpscaleFarm.Imaging;

/// <summary>Limits checked before any pixel is decoded. Defaults suit a workstation; every one is configurable.</summary>
public sealed record ImageLimits
{
    /// <summary>Largest input in pixels (width × height) that the header may declare.</summary>
    public long MaxInputPixels { get; init; } = 400_000_000;

    /// <summary>Largest input file in bytes.</summary>
    public long MaxInputBytes { get; init; } = 4L << 30;

    /// <summary>Longest side in pixels, either way.</summary>
    public int MaxSide { get; init; } = 1 << 20;

    public static ImageLimits Default { get; } = new();
}
