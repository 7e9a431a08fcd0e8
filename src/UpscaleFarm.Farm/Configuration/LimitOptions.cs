using UpscaleFarm.Imaging;

namespace UpscaleFarm.Farm.Configuration;

/// <summary>
/// The farm's limits (Farm:Limits): those of each frame's header, enforced before any pixel is decoded,
/// and the ranges of a job's options (<see cref="Client.JobOptionRules"/>), enforced before a job exists.
/// </summary>
public sealed class LimitOptions
{
    public long MaxInputPixels { get; set; } = ImageLimits.Default.MaxInputPixels;
    public long MaxInputBytes { get; set; } = ImageLimits.Default.MaxInputBytes;
    public int MaxSide { get; set; } = ImageLimits.Default.MaxSide;
    public long MaxInterlacedPixels { get; set; } = ImageLimits.Default.MaxInterlacedPixels;
    public long MaxIccProfileBytes { get; set; } = ImageLimits.Default.MaxIccProfileBytes;

    /// <summary>The smallest tile side a job may ask for (0, the whole image, aside): tiny tiles multiply messages and rows.</summary>
    public int MinTileSize { get; set; } = 16;

    /// <summary>The largest tile side (and the largest image side for tile 0): a tile's tensors grow with its area × the model's channels.</summary>
    public int MaxTileSize { get; set; } = 1024;

    /// <summary>The largest halo; it must also be smaller than the tile.</summary>
    public int MaxHalo { get; set; } = 128;

    /// <summary>The largest output scale a job may ask for (the model's own is 4).</summary>
    public double MaxOutScale { get; set; } = 16;

    /// <summary>Output pixels of one frame (width × height after scaling): 400 MP in at × 4 is 6.4 GP out.</summary>
    public long MaxOutputPixels { get; set; } = 6_400_000_000;

    /// <summary>
    /// One strip of a result, uncompressed: output width × a row of tiles' height × 3 bands × bytes per sample, which the
    /// assembler holds (in memory, or in scratch files past Assembler:StripMemoryBytes) for each buffer. Past it the job is
    /// refused with the tile size that would fit.
    /// </summary>
    public long MaxStripBytes { get; set; } = 4L << 30;

    /// <summary>
    /// One row of a result, uncompressed (width × bands × bytes per sample). libvips' encoders hold up to about 512 rows of
    /// the result while they write it, so this bounds their memory: 1 MiB a row is at most 512 MiB a frame (262 144
    /// pixels of 8-bit RGBA, 349 525 of RGB).
    /// </summary>
    public long MaxResultRowBytes { get; set; } = 1L << 20;

    /// <summary>Tiles of one frame (colour and alpha planes together), each a row in the job store and a message.</summary>
    public int MaxTilesPerFrame { get; set; } = 50_000;

    public ImageLimits ToImageLimits() => new()
    {
        MaxInputPixels = MaxInputPixels, MaxInputBytes = MaxInputBytes, MaxSide = MaxSide, MaxInterlacedPixels = MaxInterlacedPixels,
        MaxIccProfileBytes = MaxIccProfileBytes,
    };
}
