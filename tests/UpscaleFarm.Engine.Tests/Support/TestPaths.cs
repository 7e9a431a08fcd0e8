using UpscaleFarm.Testing;

namespace UpscaleFarm.Engine.Tests.Support;

/// <summary>Where the repository, its models and the shared test images are.</summary>
public static class TestPaths
{
    public static string RepoRoot => RepoPaths.Root;

    public static string ModelsDirectory => Path.Combine(RepoRoot, "models");

    public static string SharedImage(string name) => RepoPaths.SharedImage(name);

}
