namespace UpscaleFarm.Models.Catalog;

/// <summary>Where a model's original files come from: an npm package and the paths inside it, or a local file.</summary>
public sealed record ModelSource
{
    public string? Package { get; init; }
    public string? Version { get; init; }
    public string? Param { get; init; }
    public string? Bin { get; init; }
    /// <summary>For imported models: the file the user gave.</summary>
    public string? File { get; init; }
}
