using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace UpscaleFarm.Models.Catalog;

/// <summary>
/// The models a machine has: the built-in manifest (models/manifest.json) plus the user's imports
/// (models/imported/manifest.json). The directory is the farm's Farm:ModelsDirectory setting where it is set; else
/// $UPSCALEFARM_MODELS (that setting's older name), or the nearest "models" folder holding a manifest above the program
/// or the working directory.
/// </summary>
public sealed partial class ModelCatalog
{
    public const string ManifestName = "manifest.json";
    public const string ImportedFolder = "imported";

    private ModelCatalog(string directory, ModelManifest builtIn, ModelManifest imported)
    {
        Directory = directory;
        BuiltIn = builtIn;
        Imported = imported;
    }

    public string Directory { get; }
    public ModelManifest BuiltIn { get; }
    public ModelManifest Imported { get; }
    public IEnumerable<ModelEntry> All => BuiltIn.Models.Concat(Imported.Models);
    public string ImportedManifestPath => Path.Combine(Directory, ImportedFolder, ManifestName);

    public static ModelCatalog Load(string? directory = null)
    {
        directory ??= Locate();
        return new ModelCatalog(directory,
            ModelManifest.Read(Path.Combine(directory, ManifestName)),
            ModelManifest.Read(Path.Combine(directory, ImportedFolder, ManifestName)));
    }

    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("UPSCALEFARM_MODELS") is { Length: > 0 } fromEnvironment)
            return Path.GetFullPath(fromEnvironment);
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "models", ManifestName);
                if (System.IO.File.Exists(candidate))
                    return Path.GetDirectoryName(candidate)!;
            }
        }
        throw new UnknownModelException("no models directory found: set Farm__ModelsDirectory or run from the repository");
    }

    public ModelEntry Default => BuiltIn.Models.FirstOrDefault(m => m.Default) ?? All.First();

    public ModelEntry Find(string? id)
    {
        if (string.IsNullOrEmpty(id))
            return Default;
        return All.FirstOrDefault(m => m.Id == id)
            ?? throw new UnknownModelException($"unknown model '{id}'; available: {string.Join(", ", All.Select(m => m.Id))}");
    }

    /// <summary>The ONNX file of a model, which must exist.</summary>
    public string OnnxPath(ModelEntry model)
    {
        var path = Path.Combine(Directory, model.File);
        return System.IO.File.Exists(path)
            ? path
            : throw new UnknownModelException($"model '{model.Id}' is not installed ({path} is missing); run: ./upscalefarm models fetch");
    }

    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    public static string Sha256(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,63}\z")]
    private static partial Regex IdPattern();
}
