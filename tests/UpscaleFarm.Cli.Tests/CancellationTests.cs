using System.Diagnostics;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Cli.Tests;

/// <summary>SIGTERM or Ctrl+C mid-upscale: a clean stop with no output and no temporary files left.</summary>
[Collection(ModelsCollection.Name)]
public sealed class CancellationTests(ModelsFixture models) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Terminating_a_running_upscale_leaves_nothing_behind()
    {
        var output = Directory.CreateDirectory(_dir.File("out")).FullName;
        // Many small tiles keep the run going for seconds, with a cancellation point between each.
        using var process = CliRunner.Start(models.Catalog.Directory, "upscale", RepoPaths.SharedImage("astronaut.png"), "-o", Path.Combine(output, "result.png"), "--tile", "32", "--halo", "16");

        // Workers are upscaling once the embedded farm's working directory holds an upscaled tile.
        var watch = Stopwatch.StartNew();
        while (!UpscaledTileExists(output) && !process.HasExited && watch.Elapsed < TimeSpan.FromMinutes(1))
            Thread.Sleep(20);
        Assert.False(process.HasExited, "the upscale finished before it could be interrupted");
        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();

        var result = CliRunner.Wait(process);
        Assert.Equal(130, result.ExitCode);
        Assert.Equal("upscalefarm: error: canceled", Assert.Single(result.StderrLines));
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    private static bool UpscaledTileExists(string output)
    {
        try
        {
            return Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Any(f => f.Contains("/tiles/") && f.EndsWith(".out", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false; // a folder vanished while being listed
        }
    }
}
