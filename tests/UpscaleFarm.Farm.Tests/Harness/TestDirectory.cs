namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>A scratch directory for one test, removed afterwards.</summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"upscalefarm-test-{Guid.NewGuid():N}");

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process that was killed may still hold a file for a moment; the OS cleans /tmp.
        }
    }
}
