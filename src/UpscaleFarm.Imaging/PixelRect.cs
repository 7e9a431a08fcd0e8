namespace UpscaleFarm.Imaging;

/// <summary>A rectangle of pixels: left, top, width, height.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
    public long Area => (long)Width * Height;

    public PixelRect Scale(int factor) => new(X * factor, Y * factor, Width * factor, Height * factor);

    public override string ToString() => $"{Width}x{Height}+{X}+{Y}";
}
