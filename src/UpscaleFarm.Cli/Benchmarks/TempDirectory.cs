namespace UpscaleFarm.Cli.Benchmarks;

/// <summary>A scratch directory removed on dispose (benchmarks and tests).</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("upscalefarm-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
