using System.Globalization;
using System.Text.RegularExpressions;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Farm.Client;

/// <summary>
/// The one rule set for a job's options, used wherever a job is made: the API, <c>upscalefarm upscale</c>,
/// <c>farm submit</c> and the farm client. <see cref="Check"/> needs only the request; <see cref="CheckFrame"/>
/// also the frame's size from its header, so both run before any tile is cut. Every range is in
/// <see cref="LimitOptions"/> (Farm:Limits).
/// </summary>
public static partial class JobOptionRules
{
    public const int MaxWebhookLength = 2048;

    private const string AlphaRule = "must be 'model' or 'resample'";

    /// <summary>The alpha mode a form or JSON field names ("model", "resample"), or the field's error.</summary>
    public static AlphaMode ParseAlpha(string value) => value switch
    {
        "model" => AlphaMode.Model,
        "resample" => AlphaMode.Resample,
        _ => throw JobRequestException.Of("alpha", AlphaRule),
    };

    /// <summary>Every problem of the request, by field (the API's form and JSON names); empty when it may run.</summary>
    public static Dictionary<string, string[]> Check(JobRequest request, ModelCatalog catalog, LimitOptions limits)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string error) => (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(error);

        if (!TenantPattern().IsMatch(request.Tenant))
            Add("tenant", "must be 1-64 of a-z, 0-9, '-' and '_'");
        ModelEntry? model = null;
        if (request.Model is { } id && !catalog.All.Any(m => m.Id == id))
            Add("model", $"unknown model; one of {string.Join(", ", catalog.All.Select(m => m.Id))}");
        else
            model = catalog.Find(request.Model);
        if (!ImageFormats.TryParse(request.Options.Format, out _))
            Add("format", "must be png, jpeg, webp or tiff");
        if (request.Options.Quality is < 1 or > 100)
            Add("quality", "must be 1 to 100");
        if (!Enum.IsDefined(request.Options.Alpha))
            Add("alpha", AlphaRule);
        if (request.Priority is < JobPriority.Lowest or > JobPriority.Highest)
            Add("priority", $"must be {JobPriority.Lowest} to {JobPriority.Highest}");
        if (request.Options.OutScale is { } scale && !(double.IsFinite(scale) && scale > 0 && scale <= limits.MaxOutScale))
            Add("scale", $"must be a number above 0 and at most {limits.MaxOutScale.ToString(CultureInfo.InvariantCulture)}");
        if (request.Options.TileSize is { } tile && tile != 0 && (tile < limits.MinTileSize || tile > limits.MaxTileSize))
            Add("tile", $"must be 0 (the whole image at once) or {limits.MinTileSize} to {limits.MaxTileSize}");
        if (request.Options.Halo is { } halo && (halo < 0 || halo > limits.MaxHalo))
            Add("halo", $"must be 0 to {limits.MaxHalo}");
        else if (model is not null && request.Options.Halo is { } given && !errors.ContainsKey("tile") && EffectiveTile(request.Options.TileSize, model) is > 0 and var effectiveTile
            && given >= effectiveTile)
            Add("halo", $"must be smaller than the tile ({effectiveTile})");
        if (request.WebhookUrl is { } webhook && !(webhook.Length <= MaxWebhookLength && Uri.TryCreate(webhook, UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0))
            Add("webhook", $"must be an absolute http or https URL without credentials, at most {MaxWebhookLength} characters");
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    /// <summary>Throws <see cref="JobRequestException"/> with every problem of the request.</summary>
    public static void Require(JobRequest request, ModelCatalog catalog, LimitOptions limits)
    {
        if (Check(request, catalog, limits) is { Count: > 0 } errors)
            throw new JobRequestException(errors);
    }

    /// <summary>
    /// What is wrong with running the request on one frame of this shape (from its header), or null: the
    /// result's pixels against <paramref name="maxOutputPixels"/> and the output format's side limit, the
    /// whole-image tile against the largest tile, the number of tiles, the assembler's strip (a row of tiles of the
    /// result) against <see cref="LimitOptions.MaxStripBytes"/>, and a row of the result against
    /// <see cref="LimitOptions.MaxResultRowBytes"/>.
    /// </summary>
    public static string? CheckFrame(JobOptions options, ModelEntry model, FrameShape frame, LimitOptions limits, long maxOutputPixels)
    {
        var (width, height, bytesPerSample) = (frame.Width, frame.Height, frame.BytesPerSample);
        // Alpha through the model is a second plane of tiles; resampled, it is not.
        var planes = frame.HasAlpha && options.Alpha == AlphaMode.Model ? 2 : 1;
        var scale = options.OutScale ?? model.Scale;
        var (outWidth, outHeight) = (Math.Round(width * scale), Math.Round(height * scale));
        if (outWidth < 1 || outHeight < 1)
            return $"a {width}x{height} image at scale {scale.ToString(CultureInfo.InvariantCulture)} would have no pixels";
        if (outWidth * outHeight > maxOutputPixels)
            return $"the result would be {outWidth}x{outHeight} = {outWidth * outHeight:F0} pixels, over the limit of {maxOutputPixels}";
        if (ImageFormats.TryParse(options.Format, out var format) && ImageFormats.MaxSide(format) is var side && (outWidth > side || outHeight > side))
            return $"the result would be {outWidth}x{outHeight}, over the {format.ToString().ToUpperInvariant()} limit of {side} pixels per side; ask for png or tiff";
        // The encoder buffers a few hundred rows of the result: their width is what bounds its memory.
        var rowBytes = (long)outWidth * frame.Bands * bytesPerSample;
        if (rowBytes > limits.MaxResultRowBytes)
            return $"the result would be {outWidth:F0} pixels wide, {rowBytes} bytes a row, over the limit of {limits.MaxResultRowBytes} bytes a row; ask for a smaller scale";
        var tile = EffectiveTile(options.TileSize, model);
        if (tile == 0 && (width > limits.MaxTileSize || height > limits.MaxTileSize))
            return $"tile 0 runs the whole image at once, which is allowed up to {limits.MaxTileSize} pixels per side; this image is {width}x{height}";
        var tiles = tile == 0 ? 1L : (long)Math.Ceiling(width / (double)tile) * (long)Math.Ceiling(height / (double)tile) * planes;
        if (tiles > limits.MaxTilesPerFrame)
            return $"{tiles} tiles of {tile} pixels for a {width}x{height} image is over the limit of {limits.MaxTilesPerFrame} tiles; ask for larger tiles";
        // The assembler holds a row of tiles of the result at a time: its width × the tiles' height (at the model's scale).
        var stripBytes = StripBytes(width, tile == 0 ? height : Math.Min(tile, height), model.Scale, bytesPerSample);
        if (stripBytes > limits.MaxStripBytes)
        {
            var fits = (int)Math.Min(tile == 0 ? height : tile, limits.MaxStripBytes / StripBytes(width, 1, model.Scale, bytesPerSample));
            return fits >= limits.MinTileSize
                ? $"a {width}-pixel-wide image in tiles of {(tile == 0 ? height : tile)} needs {stripBytes} bytes per row of tiles of its result, over the limit of {limits.MaxStripBytes}; ask for tile={fits} or less"
                : $"a {width}-pixel-wide image is too wide: even tiles of {limits.MinTileSize} need more than the limit of {limits.MaxStripBytes} bytes per row of tiles of its result";
        }
        return null;
    }

    /// <summary>Bytes of one colour strip of the result: its width × <paramref name="rows"/> source rows, at the model's scale, 3 bands.</summary>
    private static long StripBytes(int width, int rows, int modelScale, int bytesPerSample) =>
        (long)width * modelScale * rows * modelScale * 3 * bytesPerSample;

    /// <summary>The tile side a job runs with: its own, else the model's.</summary>
    public static int EffectiveTile(int? tile, ModelEntry model) => tile ?? model.TileSize;

    /// <summary>
    /// The halo a job runs with: its own, else the model's, but at most half the tile, so a small tile
    /// asked for without a halo runs as asked instead of being refused or mostly halo.
    /// </summary>
    public static int EffectiveHalo(int? halo, int tile, ModelEntry model) => halo ?? (tile == 0 ? model.Halo : Math.Min(model.Halo, tile / 2));

    [GeneratedRegex(@"^[a-z0-9_-]{1,64}\z")]
    private static partial Regex TenantPattern();
}
