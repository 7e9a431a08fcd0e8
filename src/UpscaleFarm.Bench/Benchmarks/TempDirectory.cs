namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>A scratch directory removed on dispose (each benchmark's inputs and outputs).</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("upscalefarm-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process that was just killed may still hold a file for a moment; the OS cleans its temp folder.
        }
    }
}
