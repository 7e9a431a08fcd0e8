using System.Text.Json;
using System.Text.Json.Serialization;

namespace UpscaleFarm.Models.Catalog;

/// <summary>A JSON list of models: models/manifest.json (built in, committed) or models/imported/manifest.json (the user's).</summary>
public sealed record ModelManifest
{
    public List<ModelEntry> Models { get; init; } = [];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static ModelManifest Read(string path)
    {
        if (!System.IO.File.Exists(path))
            return new ModelManifest();
        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(System.IO.File.ReadAllText(path), Json) ?? new ModelManifest();
        }
        catch (JsonException e)
        {
            throw new ModelConversionException($"{path}: not a valid model manifest ({e.Message})");
        }
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        System.IO.File.WriteAllText(temp, JsonSerializer.Serialize(this, Json) + "\n");
        System.IO.File.Move(temp, path, overwrite: true);
    }
}
