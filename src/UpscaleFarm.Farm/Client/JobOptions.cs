using UpscaleFarm.Engine.Upscaling;

namespace UpscaleFarm.Farm.Client;

/// <summary>
/// How a job makes each of its results: one value from the request (<see cref="JobRequest.Options"/>) to the job store
/// (<see cref="JobStore.JobRecord.Options"/>), checked by <see cref="JobOptionRules"/> where the job is made. Null tile
/// settings mean the model's defaults.
/// </summary>
public sealed record JobOptions
{
    /// <summary>Final scale relative to the input; null keeps the model's scale.</summary>
    public double? OutScale { get; init; }

    /// <summary>The results' format: png, jpeg, webp or tiff (the job store keeps the extension: "jpg" for jpeg).</summary>
    public string Format { get; init; } = "png";

    public int Quality { get; init; } = 95;
    public int? TileSize { get; init; }
    public int? Halo { get; init; }

    /// <summary>How an alpha channel is upscaled: through the model, or resampled (Lanczos). The job store keeps its lower-case name.</summary>
    public AlphaMode Alpha { get; init; } = AlphaMode.Model;
}
