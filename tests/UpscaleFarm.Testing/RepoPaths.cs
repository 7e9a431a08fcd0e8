namespace UpscaleFarm.Testing;

/// <summary>The repository, the shared test data beside it and the programs the tests run, found from the test assembly.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The repository's models directory (manifest.json, onnx/).</summary>
    public static string Models => Path.Combine(Root, "models");

    /// <summary>../shared/testdata/images beside the repository (CI has the same layout).</summary>
    public static string SharedImage(string name)
    {
        var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "testdata", "images", name));
        return File.Exists(path) ? path : throw new FileNotFoundException($"test image missing: {path}");
    }

    /// <summary>
    /// The CLI's apphost as the solution build left it, in the tests' own configuration: the tests run it as a user
    /// does instead of referencing the executable (scripts/test.sh builds the solution first).
    /// </summary>
    public static string Cli => Program(Path.Combine("src", "UpscaleFarm.Cli"), "upscalefarm");

    /// <summary>A program of the solution, built in the same configuration, target framework and runtime as this assembly.</summary>
    public static string Program(string projectDirectory, string name)
    {
        // AppContext.BaseDirectory is …/bin/CONFIGURATION/TFM/RID/: the same three folders under the program's project.
        var build = Path.GetRelativePath(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..")), AppContext.BaseDirectory);
        var path = Path.Combine(Root, projectDirectory, "bin", build, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} is not built at {path}: build the solution first (scripts/test.sh does)");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "UpscaleFarm.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("UpscaleFarm.sln not found above the test assembly");
    }
}
