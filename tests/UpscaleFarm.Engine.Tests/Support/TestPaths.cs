using UpscaleFarm.Tests.Shared;

namespace UpscaleFarm.Engine.Tests.Support;

/// <summary>Where the repository, the shared test images and the built CLI are.</summary>
public static class TestPaths
{
    public static string RepoRoot => RepoPaths.Root;

    public static string ModelsDirectory => Path.Combine(RepoRoot, "models");

    public static string SharedImage(string name) => RepoPaths.SharedImage(name);

    /// <summary>The CLI built beside this test assembly (same configuration).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "upscalefarm.dll");
}
