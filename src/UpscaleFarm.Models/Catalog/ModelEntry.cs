namespace UpscaleFarm.Models.Catalog;

/// <summary>One model in the manifest.</summary>
public sealed record ModelEntry
{
    public required string Id { get; init; }
    public string Name { get; init; } = "";
    public string Architecture { get; init; } = "";
    public int Scale { get; init; }
    /// <summary>Multiply-adds × 2 per input pixel, for GFLOP/s figures.</summary>
    public double MflopPerInputPixel { get; init; }
    public bool Default { get; init; }
    /// <summary>Default tile core side and halo, chosen by measurement (see docs/tiling.md).</summary>
    public int TileSize { get; init; } = 512;
    public int Halo { get; init; } = 32;
    public string License { get; init; } = "";
    public ModelSource Source { get; init; } = new();
    /// <summary>The ONNX file, relative to the models directory.</summary>
    public required string File { get; init; }
    /// <summary>sha256 of the ONNX file, lower-case hex.</summary>
    public string Sha256 { get; init; } = "";
}
