namespace UpscaleFarm.Cli.Benchmarks;

/// <summary>A scratch directory removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("upscalefarm-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
