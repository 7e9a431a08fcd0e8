using NetVips;

namespace UpscaleFarm.Imaging;

/// <summary>
/// Encodes an image to a file atomically: it is written next to the target under a temporary name and
/// renamed only when complete, so a failure never leaves a half-written output.
/// </summary>
public static class ImageEncoder
{
    /// <summary>Fails early, before any work, if the output cannot be created in its directory.</summary>
    public static void CheckWritable(string outputPath)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(outputPath))!;
        try
        {
            Directory.CreateDirectory(directory);
            var probe = System.IO.Path.Combine(directory, $".upscalefarm-probe-{Guid.NewGuid():N}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageOutputException($"{outputPath}: cannot write to {directory} ({e.Message})", e);
        }
        if (Directory.Exists(outputPath))
            throw new ImageOutputException($"{outputPath}: is a directory");
    }

    public static void Save(Image image, string outputPath, EncodeOptions options)
    {
        CheckSize(image, outputPath, options.Format);
        var full = System.IO.Path.GetFullPath(outputPath);
        var temp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.part{ImageFormats.Extension(options.Format)}");
        try
        {
            Encode(image, temp, options);
            File.Move(temp, full, overwrite: true);
        }
        catch (VipsException e)
        {
            throw new ImageOutputException($"{outputPath}: encoding failed ({VipsErrors.Cause(e)})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageOutputException($"{outputPath}: cannot write ({e.Message})", e);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static void CheckSize(Image image, string outputPath, ImageFormat format)
    {
        var max = ImageFormats.MaxSide(format);
        if (image.Width > max || image.Height > max)
            throw new ImageOutputException($"{outputPath}: {image.Width}x{image.Height} exceeds the {format} limit of {max} pixels per side; use --format png or tiff (BigTIFF)");
    }

    private static void Encode(Image image, string path, EncodeOptions options)
    {
        var is16Bit = image.Format == Enums.BandFormat.Ushort;
        switch (options.Format)
        {
            case ImageFormat.Png:
                image.Pngsave(path, compression: options.PngCompression, bitdepth: is16Bit ? 16 : 8);
                break;
            case ImageFormat.Jpeg:
                To8Bit(image).Jpegsave(path, q: options.Quality, optimizeCoding: true);
                break;
            case ImageFormat.Webp:
                To8Bit(image).Webpsave(path, q: options.Quality);
                break;
            case ImageFormat.Tiff:
                // Tiled, deflate-compressed; BigTIFF once the file could pass 4 GB.
                var bytes = (long)image.Width * image.Height * image.Bands * (is16Bit ? 2 : 1);
                image.Tiffsave(path, compression: Enums.ForeignTiffCompression.Deflate, tile: true, tileWidth: 512, tileHeight: 512,
                    bigtiff: bytes > 3_000_000_000L);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options));
        }
    }

    private static Image To8Bit(Image image) =>
        image.Format == Enums.BandFormat.Ushort
            ? (image >> 8).Cast(Enums.BandFormat.Uchar).Copy(interpretation: image.Bands >= 3 ? Enums.Interpretation.Srgb : Enums.Interpretation.Bw)
            : image;
}
