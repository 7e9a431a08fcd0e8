using Google.Protobuf;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Onnx;

namespace UpscaleFarm.Models.Synthetic;

/// <summary>
/// A near-free ×4 model (one ONNX nearest-neighbour Resize) for measuring the farm's plumbing: with
/// inference costing almost nothing, throughput shows what decoding, encoding, storage and messaging cost.
/// </summary>
public static class NearestNeighbourModel
{
    public const string Id = "nearest-x4";

    /// <summary>Writes a models directory holding only this model (manifest.json + ONNX file) and returns it.</summary>
    public static string WriteCatalog(string directory, int tileSize = 512, int halo = 0)
    {
        var builder = new OnnxGraphBuilder();
        builder.AddInput("input", null, 3, null, null);
        var scales = builder.AddConstant([1f, 1f, 4f, 4f], 4);
        builder.AddNode("Resize", "upsample", ["input", "", scales], ["output"],
            OnnxGraphBuilder.String("mode", "nearest"),
            OnnxGraphBuilder.String("coordinate_transformation_mode", "asymmetric"),
            OnnxGraphBuilder.String("nearest_mode", "floor"));
        builder.AddOutput("output", null, 3, null, null);
        var onnx = Path.Combine(directory, "onnx", $"{Id}.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(onnx)!);
        File.WriteAllBytes(onnx, builder.Build("synthetic").ToByteArray());

        new ModelManifest
        {
            Models =
            [
                new ModelEntry
                {
                    Id = Id, Name = "nearest-neighbour x4 (benchmark plumbing)", Architecture = "ONNX Resize, nearest", Scale = 4,
                    Default = true, TileSize = tileSize, Halo = halo, License = "generated", File = $"onnx/{Id}.onnx",
                    Sha256 = ModelCatalog.Sha256(onnx),
                },
            ],
        }.Write(Path.Combine(directory, ModelCatalog.ManifestName));
        return directory;
    }
}
