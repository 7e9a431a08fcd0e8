using UpscaleFarm.Imaging;

namespace UpscaleFarm.Farm.Client;

/// <summary>What a frame's header says of it, for the checks made before any pixel is decoded (<see cref="JobOptionRules.CheckFrame"/>).</summary>
public sealed record FrameShape(int Width, int Height, bool IsGray, bool HasAlpha, bool Is16Bit)
{
    public int BytesPerSample => Is16Bit ? 2 : 1;

    /// <summary>Bands of the result: grey or colour, and alpha.</summary>
    public int Bands => (IsGray ? 1 : 3) + (HasAlpha ? 1 : 0);

    public static FrameShape Of(SourceImage image) => new(image.Width, image.Height, image.IsGray, image.Alpha is not null, image.Is16Bit);
}
