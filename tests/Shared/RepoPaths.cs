namespace UpscaleFarm.Tests.Shared;

/// <summary>The repository and the shared test data beside it, found from the test assembly (compiled into every test project).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/testdata/images beside the repository (CI has the same layout).</summary>
    public static string SharedImage(string name)
    {
        var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "testdata", "images", name));
        return File.Exists(path) ? path : throw new FileNotFoundException($"test image missing: {path}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "UpscaleFarm.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("UpscaleFarm.sln not found above the test assembly");
    }
}
