using NetVips;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Engine.Upscaling;

/// <summary>
/// The last step of every upscale, shared by the one-process engine and the farm's assembler so both
/// produce the same bytes: join the upscaled colour plane with its alpha, apply the optional final
/// rescale and the ICC profile. Everything stays lazy; the encoder streams it.
/// </summary>
public static class FrameComposer
{
    /// <param name="color">The upscaled colour plane: 3 bands, or 1 for a grey source.</param>
    /// <param name="upscaledAlpha">The alpha plane upscaled by the model, if it went through it.</param>
    /// <param name="sourceAlpha">The source's alpha, resampled when <paramref name="upscaledAlpha"/> is null.</param>
    /// <param name="outScale">Final scale relative to the source; null keeps the model's scale.</param>
    public static Image Compose(Image color, bool isGray, bool is16Bit, Image? upscaledAlpha, Image? sourceAlpha,
        int sourceWidth, int sourceHeight, int modelScale, double? outScale, byte[]? iccProfile)
    {
        var image = color.Copy(interpretation: Interpretation(isGray, is16Bit));
        if (upscaledAlpha is not null)
            image = image.Bandjoin(upscaledAlpha);
        else if (sourceAlpha is not null)
            image = image.Bandjoin(ResizeExactly(sourceAlpha, image.Width, image.Height));
        if (outScale is { } scale && Math.Abs(scale - modelScale) > 1e-9)
            image = ResizeExactly(image, (int)Math.Round(sourceWidth * scale), (int)Math.Round(sourceHeight * scale));
        if (iccProfile is not null)
            image = image.Mutate(m => m.Set(GValue.BlobType, "icc-profile-data", iccProfile));
        return image;
    }

    /// <summary>Lanczos-3 resampling to an exact size, as Real-ESRGAN's outscale does with OpenCV's Lanczos.</summary>
    private static Image ResizeExactly(Image image, int width, int height)
    {
        var resized = image.Resize((double)width / image.Width, Enums.Kernel.Lanczos3, vscale: (double)height / image.Height);
        return resized.Width == width && resized.Height == height
            ? resized
            : resized.Gravity(Enums.CompassDirection.NorthWest, width, height, extend: Enums.Extend.Copy);
    }

    private static Enums.Interpretation Interpretation(bool isGray, bool is16Bit) => (isGray, is16Bit) switch
    {
        (true, true) => Enums.Interpretation.Grey16,
        (true, false) => Enums.Interpretation.Bw,
        (false, true) => Enums.Interpretation.Rgb16,
        (false, false) => Enums.Interpretation.Srgb,
    };
}
