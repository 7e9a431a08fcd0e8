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

    /// <summary>
    /// Largest interlaced PNG or progressive JPEG: libvips cannot decode these a region at a time, so the
    /// whole image (a progressive JPEG's coefficients, an interlaced PNG's pixels) is held in memory while
    /// it is read: about 3–6 bytes a pixel. 100 MP keeps that under 1 GB; larger ones must be saved
    /// non-interlaced (baseline JPEG, PNG without Adam7) or as TIFF.
    /// </summary>
    public long MaxInterlacedPixels { get; init; } = 100_000_000;

    /// <summary>
    /// Largest ICC profile an image may carry to its result. A profile is stored once per distinct profile with the job
    /// and counted against the tenant's bytes; real profiles are a few KB (large LUT-based ones up to a few hundred), but
    /// a PNG's compressed iCCP chunk of 50 KB can inflate to tens of megabytes.
    /// </summary>
    public long MaxIccProfileBytes { get; init; } = 1 << 20;

    public static ImageLimits Default { get; } = new();
}
