namespace UpscaleFarm.Engine.Tests.Support;

/// <summary>Where the repository, the shared test images and the built CLI are.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ModelsDirectory => Path.Combine(RepoRoot, "models");

    /// <summary>../shared/testdata/images beside the repository (CI has the same layout).</summary>
    public static string SharedImage(string name)
    {
        var path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "testdata", "images", name));
        return File.Exists(path) ? path : throw new FileNotFoundException($"test image missing: {path}");
    }

    /// <summary>The CLI built beside this test assembly (same configuration).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "upscalefarm.dll");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "UpscaleFarm.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("UpscaleFarm.sln not found above the test assembly");
    }
}
