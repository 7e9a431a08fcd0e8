namespace UpscaleFarm.Engine.Upscaling;

/// <summary>What one upscale did.</summary>
public sealed record UpscaleResult(string Output, int InputWidth, int InputHeight, int OutputWidth, int OutputHeight, int Tiles, double HaloOverhead, TimeSpan Elapsed)
{
    public double InputMegapixels => InputWidth * (double)InputHeight / 1e6;
}
