using UpscaleFarm.Imaging;

namespace UpscaleFarm.Farm.Configuration;

/// <summary>Limits the coordinator enforces from each frame's header, before any pixel is decoded.</summary>
public sealed class LimitOptions
{
    public long MaxInputPixels { get; set; } = ImageLimits.Default.MaxInputPixels;
    public long MaxInputBytes { get; set; } = ImageLimits.Default.MaxInputBytes;
    public int MaxSide { get; set; } = ImageLimits.Default.MaxSide;

    public ImageLimits ToImageLimits() => new() { MaxInputPixels = MaxInputPixels, MaxInputBytes = MaxInputBytes, MaxSide = MaxSide };
}
