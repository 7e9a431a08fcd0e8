using Google.Protobuf;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Onnx;
using UpscaleFarm.Models.Onnx.Proto;

namespace UpscaleFarm.Models.Synthetic;

/// <summary>
/// A near-free ×4 model (one ONNX nearest-neighbour Resize) for measuring the farm's plumbing: with
/// inference costing almost nothing, throughput shows what decoding, encoding, storage and messaging cost.
/// </summary>
public static class NearestNeighbourModel
{
    public const string Id = "nearest-x4";

    /// <summary>
    /// A bilinear ×4 beside it: cheap too, but its output is smooth and detailed like a photograph's, not 4×4 blocks of
    /// equal pixels, so tile codecs work as hard as on real model output (LZ4 finds nearest's blocks trivially).
    /// </summary>
    public const string LinearId = "linear-x4";

    /// <summary>Writes a models directory holding only these models (manifest.json + ONNX files; nearest-x4 the default) and returns it.</summary>
    public static string WriteCatalog(string directory, int tileSize = 512, int halo = 0) =>
        WriteCatalog(directory, tileSize, halo,
            (Id, "nearest-neighbour x4 (benchmark plumbing)", "ONNX Resize, nearest", [OnnxGraphBuilder.String("mode", "nearest"), OnnxGraphBuilder.String("nearest_mode", "floor")]),
            (LinearId, "bilinear x4 (benchmark plumbing, photo-like output)", "ONNX Resize, linear", [OnnxGraphBuilder.String("mode", "linear")]));

    private static string WriteCatalog(string directory, int tileSize, int halo,
        params (string Id, string Name, string Architecture, AttributeProto[] Mode)[] models)
    {
        var entries = new List<ModelEntry>();
        foreach (var (id, name, architecture, mode) in models)
        {
            var builder = new OnnxGraphBuilder();
            builder.AddInput("input", null, 3, null, null);
            var scales = builder.AddConstant([1f, 1f, 4f, 4f], 4);
            builder.AddNode("Resize", "upsample", ["input", "", scales], ["output"],
                [.. mode, OnnxGraphBuilder.String("coordinate_transformation_mode", "asymmetric")]);
            builder.AddOutput("output", null, 3, null, null);
            var onnx = Path.Combine(directory, "onnx", $"{id}.onnx");
            Directory.CreateDirectory(Path.GetDirectoryName(onnx)!);
            File.WriteAllBytes(onnx, builder.Build("synthetic").ToByteArray());
            entries.Add(new ModelEntry
            {
                Id = id, Name = name, Architecture = architecture, Scale = 4, Default = entries.Count == 0,
                TileSize = tileSize, Halo = halo, License = "generated", File = $"onnx/{id}.onnx", Sha256 = ModelCatalog.Sha256(onnx),
            });
        }
        new ModelManifest { Models = entries }.Write(Path.Combine(directory, ModelCatalog.ManifestName));
        return directory;
    }
}
