namespace UpscaleFarm.Testing;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("upscalefarm-tests-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process that was just killed may still hold a file for a moment, and a leftover temp folder is
            // harmless: failing the test over it would hide the real result.
        }
    }
}
