using UpscaleFarm.Imaging;

namespace UpscaleFarm.Engine.Upscaling;

/// <summary>Everything that shapes one upscale besides the model.</summary>
public sealed record UpscaleSettings
{
    /// <summary>Largest tile core side in input pixels; 0 means the whole image at once.</summary>
    public required int TileSize { get; init; }

    /// <summary>Context pixels around each tile core.</summary>
    public required int Halo { get; init; }

    /// <summary>Tiles per inference call.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Final scale relative to the input; null keeps the model's own scale.</summary>
    public double? OutScale { get; init; }

    public AlphaMode Alpha { get; init; } = AlphaMode.Model;

    public ImageLimits Limits { get; init; } = ImageLimits.Default;
}
