using NetVips;

namespace UpscaleFarm.Imaging;

/// <summary>
/// An input image opened for upscaling: validated against the limits from its header alone, turned
/// upright (EXIF orientation) and split into the planes the model sees: a 3-band colour image (grey
/// repeated three times) and, if present, the alpha band. Pixels stay 8- or 16-bit; nothing is decoded
/// until a region is read.
/// </summary>
public sealed class SourceImage : IDisposable
{
    private readonly Image _decoded;

    private SourceImage(string path, ImageFormat format, Image decoded, Image color, Image? alpha, bool isGray, bool is16Bit, byte[]? iccProfile)
    {
        Path = path;
        Format = format;
        _decoded = decoded;
        Color = color;
        Alpha = alpha;
        IsGray = isGray;
        Is16Bit = is16Bit;
        IccProfile = iccProfile;
    }

    public string Path { get; }
    public ImageFormat Format { get; }
    public int Width => Color.Width;
    public int Height => Color.Height;
    /// <summary>Three bands of uchar or ushort.</summary>
    public Image Color { get; }
    /// <summary>One band of the same format, or null.</summary>
    public Image? Alpha { get; }
    public bool IsGray { get; }
    public bool Is16Bit { get; }
    public byte[]? IccProfile { get; }
    /// <summary>The largest sample value: 255 or 65535.</summary>
    public float MaxValue => Is16Bit ? 65535f : 255f;

    /// <param name="name">What error messages call the image; default: its file name.</param>
    public static SourceImage Open(string path, ImageLimits limits, string? name = null)
    {
        VipsSetup.EnsureConfigured();
        name ??= System.IO.Path.GetFileName(path);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new ImageInputException($"{name}: no such file");
        if (info.Length == 0)
            throw new ImageInputException($"{name}: the file is empty");
        if (info.Length > limits.MaxInputBytes)
            throw new ImageInputException($"{name}: {info.Length} bytes is over the limit of {limits.MaxInputBytes} bytes");

        string? loader;
        try
        {
            loader = Image.FindLoad(path);
        }
        catch (VipsException)
        {
            loader = null;
        }
        var format = loader is null ? null : ImageFormats.FromLoader(loader);
        if (format is null)
            throw new ImageInputException(loader is null
                ? $"{name}: not an image in a supported format (PNG, JPEG, WebP, TIFF)"
                : $"{name}: unsupported format ({ImageFormats.LoaderName(loader)}); use PNG, JPEG, WebP or TIFF");

        Image header;
        try
        {
            // Opening reads the header only; fail on the first decode error instead of returning grey pixels.
            header = Image.NewFromFile(path, access: Enums.Access.Random, failOn: Enums.FailOn.Error);
        }
        catch (VipsException e)
        {
            throw new ImageInputException($"{name}: cannot read the image header ({VipsErrors.Cause(e)})", e);
        }

        try
        {
            CheckLimits(name, header, limits);
            return Normalize(path, name, format.Value, header, limits);
        }
        catch
        {
            header.Dispose();
            throw;
        }
    }

    private static void CheckLimits(string name, Image header, ImageLimits limits)
    {
        var pixels = (long)header.Width * header.Height;
        if (header.Width > limits.MaxSide || header.Height > limits.MaxSide)
            throw new ImageInputException($"{name}: {header.Width}x{header.Height} has a side over the limit of {limits.MaxSide} pixels");
        if (pixels > limits.MaxInputPixels)
            throw new ImageInputException($"{name}: {header.Width}x{header.Height} = {pixels} pixels is over the limit of {limits.MaxInputPixels} pixels");
        // libvips marks progressive JPEGs and Adam7 PNGs "interlaced": they decode only whole, into memory.
        if (pixels > limits.MaxInterlacedPixels && header.Contains("interlaced") && Convert.ToInt32(header.Get("interlaced")) != 0)
            throw new ImageInputException($"{name}: an interlaced (progressive) {header.Width}x{header.Height} image is over the limit of {limits.MaxInterlacedPixels} pixels for interlaced images; save it non-interlaced or as TIFF");
    }

    private static SourceImage Normalize(string path, string name, ImageFormat format, Image header, ImageLimits limits)
    {
        byte[]? icc = header.Contains("icc-profile-data") ? (byte[])header.Get("icc-profile-data") : null;
        var image = header.Autorot();

        // CMYK and Lab inputs become sRGB; palette PNGs already load as RGB(A) or grey.
        if (image.Interpretation is Enums.Interpretation.Cmyk or Enums.Interpretation.Lab or Enums.Interpretation.Labs or Enums.Interpretation.Xyz)
        {
            image = image.Colourspace(Enums.Interpretation.Srgb);
            icc = null;
        }
        // The profile is carried to the result and stored with the job: bounded like every other byte a tenant causes.
        if (icc is not null && icc.Length > limits.MaxIccProfileBytes)
            throw new ImageInputException($"{name}: its ICC profile is {icc.Length} bytes, over the limit of {limits.MaxIccProfileBytes} bytes; save the image with a smaller profile (or none)");

        if (image.Format is not (Enums.BandFormat.Uchar or Enums.BandFormat.Ushort))
            throw new ImageInputException($"{name}: {image.Format} samples are not supported; use 8- or 16-bit unsigned images");
        var is16Bit = image.Format == Enums.BandFormat.Ushort;

        var hasAlpha = image.HasAlpha();
        var colorBands = hasAlpha ? image.Bands - 1 : image.Bands;
        if (colorBands is not (1 or 3))
            throw new ImageInputException($"{name}: {image.Bands} bands are not supported; use grey, RGB or RGBA");

        var color = image.ExtractBand(0, colorBands);
        var isGray = colorBands == 1;
        if (isGray)
            color = color.Bandjoin(color, color);
        color = color.Copy(interpretation: is16Bit ? Enums.Interpretation.Rgb16 : Enums.Interpretation.Srgb);
        var alpha = hasAlpha ? image.ExtractBand(colorBands) : null;
        return new SourceImage(path, format, image, color, alpha, isGray, is16Bit, icc);
    }

    public void Dispose()
    {
        Color.Dispose();
        Alpha?.Dispose();
        _decoded.Dispose();
    }
}
