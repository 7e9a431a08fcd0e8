using UpscaleFarm.Testing;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary><c>upscalefarm submit</c>, the API's command-line client, as its own process against the API as its own process.</summary>
public sealed class CliClientTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Files_are_submitted_followed_and_the_result_saved()
    {
        using var api = await ApiServer.StartAsync(ApiFactory.Settings(Directory.CreateDirectory(_dir.File("farm")).FullName));
        var a = _dir.File("a.png");
        var b = _dir.File("b.png");
        await File.WriteAllBytesAsync(a, Jobs.Png("chelsea.png", 12, 10));
        await File.WriteAllBytesAsync(b, Jobs.Png("astronaut.png", 10, 8));
        var output = Directory.CreateDirectory(_dir.File("out")).FullName;

        using var cli = ChildProcess.Start(RepoPaths.Cli, ["submit", a, b, "--api", api.Url, "--key", ApiFactory.AcmeKey,
            "--format", "webp", "--tile", "16", "--halo", "4", "--wait", "-o", output + "/"]);

        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, cli.Log);
        var id = Guid.Parse(cli.Stdout[0]);
        var saved = Path.Combine(output, $"{id:N}.zip");
        Assert.Equal(new[] { cli.Stdout[0], saved }, cli.Stdout);
        using var zip = System.IO.Compression.ZipFile.OpenRead(saved);
        Assert.Equal(["a.webp", "b.webp"], zip.Entries.Select(e => e.FullName));
        Assert.Empty(Directory.EnumerateFiles(output, "*.part"));
    }

    [Fact]
    public async Task A_refusal_carries_the_problems_detail()
    {
        using var api = await ApiServer.StartAsync(ApiFactory.Settings(Directory.CreateDirectory(_dir.File("farm")).FullName));
        var notes = _dir.File("notes.png");
        await File.WriteAllTextAsync(notes, "not an image");

        using var cli = ChildProcess.Start(RepoPaths.Cli, ["submit", notes, "--api", api.Url, "--key", ApiFactory.AcmeKey]);

        Assert.Equal(1, await cli.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        var error = Assert.Single(cli.Stderr);
        Assert.StartsWith("upscalefarm: error: the API answered 422", error);
        Assert.Contains("notes.png: not an image", error);
    }
}
