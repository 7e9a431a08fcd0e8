using System.Diagnostics;
using NetVips;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Engine.Tiling;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Engine.Upscaling;

/// <summary>
/// Upscales one image file into another: open and validate, run the model tile by tile over the colour
/// plane (and the alpha plane, if it goes through the model), then stream the result through libvips
/// for the alpha join, the optional Lanczos rescale, the ICC profile and the encoder.
/// </summary>
public sealed class ImageUpscaler(ModelSession session, UpscaleSettings settings)
{
    public UpscaleResult Upscale(string inputPath, string outputPath, EncodeOptions encode,
        IProgress<UpscaleProgress>? progress = null, CancellationToken cancellation = default)
    {
        var stopwatch = Stopwatch.StartNew();
        ImageEncoder.CheckWritable(outputPath);
        using var source = SourceImage.Open(inputPath, settings.Limits);
        var plan = TilePlanner.Plan(source.Width, source.Height, settings.TileSize, settings.Halo);
        var alphaThroughModel = source.Alpha is not null && settings.Alpha == AlphaMode.Model;
        var total = plan.Tiles.Count * (alphaThroughModel ? 2 : 1);
        var done = 0;
        void TileDone() => progress?.Report(new UpscaleProgress(++done, total));
        progress?.Report(new UpscaleProgress(0, total));

        var workDirectory = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        try
        {
            var (width, height) = source.Is16Bit
                ? Encode<ushort>(source, plan, workDirectory, outputPath, encode, alphaThroughModel, TileDone, cancellation)
                : Encode<byte>(source, plan, workDirectory, outputPath, encode, alphaThroughModel, TileDone, cancellation);
            return new UpscaleResult(outputPath, source.Width, source.Height, width, height, plan.Tiles.Count, plan.HaloOverhead, stopwatch.Elapsed);
        }
        catch (VipsException e)
        {
            // Decoding is lazy: a truncated or corrupt file is found when its pixels are first read.
            throw new ImageInputException($"{Path.GetFileName(inputPath)}: the image data is corrupt or truncated ({VipsErrors.Cause(e)})", e);
        }
    }

    private (int Width, int Height) Encode<T>(SourceImage source, TilePlan plan, string workDirectory, string outputPath,
        EncodeOptions encode, bool alphaThroughModel, Action tileDone, CancellationToken cancellation) where T : unmanaged
    {
        var scale = session.Scale;
        int width = source.Width * scale, height = source.Height * scale;
        using var color = new RawStripFile<T>(workDirectory, width, height, source.IsGray ? 1 : 3);
        TiledInference.Run(session, source.Color, plan, settings.BatchSize, color, source.MaxValue, tileDone, cancellation);

        using var alpha = alphaThroughModel ? new RawStripFile<T>(workDirectory, width, height, 1) : null;
        if (alpha is not null)
            TiledInference.Run(session, source.Alpha!, plan, settings.BatchSize, alpha, source.MaxValue, tileDone, cancellation);

        using var colorImage = color.Open();
        using var alphaImage = alpha?.Open();
        var image = FrameComposer.Compose(colorImage, source.IsGray, source.Is16Bit, alphaImage, source.Alpha,
            source.Width, source.Height, scale, settings.OutScale, source.IccProfile);

        cancellation.ThrowIfCancellationRequested();
        ImageEncoder.Save(image, outputPath, encode);
        return (image.Width, image.Height);
    }
}
