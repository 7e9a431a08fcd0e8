using UpscaleFarm.Models.Synthetic;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>Models directories for tests: a near-free nearest-neighbour ×4, or the repository's real models.</summary>
internal static class TestModels
{
    private static readonly Lazy<string> Nearest = new(() =>
        NearestNeighbourModel.WriteCatalog(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"upscalefarm-nearest-{Environment.ProcessId}")));

    public static string NearestDirectory => Nearest.Value;

    public static string RealDirectory => System.IO.Path.Combine(RepoPaths.Root, "models");
}
