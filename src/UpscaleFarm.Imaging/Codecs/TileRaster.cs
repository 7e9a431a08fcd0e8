namespace UpscaleFarm.Imaging.Codecs;

/// <summary>An upscaled tile's pixels: interleaved 8- or 16-bit samples, row after row.</summary>
public sealed record TileRaster(int Width, int Height, int Bands, bool Is16Bit, byte[] Pixels)
{
    public int BytesPerSample => Is16Bit ? 2 : 1;
    public long ExpectedLength => (long)Width * Height * Bands * BytesPerSample;
    public double Megapixels => (double)Width * Height / 1e6;
}
