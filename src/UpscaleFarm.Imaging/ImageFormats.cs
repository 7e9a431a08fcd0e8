namespace UpscaleFarm.Imaging;

/// <summary>Maps formats to file extensions and libvips loaders.</summary>
public static class ImageFormats
{
    public static string Extension(ImageFormat format) => format switch
    {
        ImageFormat.Png => ".png",
        ImageFormat.Jpeg => ".jpg",
        ImageFormat.Webp => ".webp",
        ImageFormat.Tiff => ".tif",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static bool TryParse(string text, out ImageFormat format)
    {
        format = text.Trim().TrimStart('.').ToLowerInvariant() switch
        {
            "png" => ImageFormat.Png,
            "jpg" or "jpeg" => ImageFormat.Jpeg,
            "webp" => ImageFormat.Webp,
            "tif" or "tiff" => ImageFormat.Tiff,
            _ => (ImageFormat)(-1),
        };
        return Enum.IsDefined(format);
    }

    /// <summary>
    /// The format of a libvips loader, if it is one we accept. libvips names loaders by nickname
    /// ("pngload") or by class ("VipsForeignLoadPngFile"), depending on the call.
    /// </summary>
    public static ImageFormat? FromLoader(string loader)
    {
        var name = loader.ToLowerInvariant().Replace("vipsforeignload", "", StringComparison.Ordinal);
        return name switch
        {
            _ when name.StartsWith("png", StringComparison.Ordinal) => ImageFormat.Png,
            _ when name.StartsWith("jpeg", StringComparison.Ordinal) => ImageFormat.Jpeg,
            _ when name.StartsWith("webp", StringComparison.Ordinal) => ImageFormat.Webp,
            _ when name.StartsWith("tiff", StringComparison.Ordinal) => ImageFormat.Tiff,
            _ => null,
        };
    }

    /// <summary>A short name for a loader, for messages: "VipsForeignLoadNsgifFile" becomes "gif".</summary>
    public static string LoaderName(string loader) =>
        loader.ToLowerInvariant().Replace("vipsforeignload", "", StringComparison.Ordinal).Replace("load", "", StringComparison.Ordinal)
            .Replace("file", "", StringComparison.Ordinal).Replace("_source", "", StringComparison.Ordinal)
            .Replace("nsgif", "gif", StringComparison.Ordinal); // libvips' GIF decoder is libnsgif

    /// <summary>The longest side the format can hold: JPEG's 65,500 and WebP's 16,383; PNG and (Big)TIFF have no practical limit.</summary>
    public static int MaxSide(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => 65_500,
        ImageFormat.Webp => 16_383,
        _ => int.MaxValue,
    };

    /// <summary>Whether a file name looks like an image we read, for directory scans.</summary>
    public static bool HasImageExtension(string path) => TryParse(Path.GetExtension(path), out _);
}
