using System.Diagnostics;
using NetVips;
using UpscaleFarm.Testing;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// <c>upscalefarm submit --wait</c>, as its own process, against the API as its own process: killed and
/// started again mid-wait (the outage a user meets most), it stays attached and saves the result; an API
/// that never comes back ends it with one line after the tolerance.
/// </summary>
public sealed class SubmitRideThroughTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("upscalefarm-ride-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Submit_wait_rides_through_the_api_killed_and_restarted_and_saves_the_result()
    {
        // The embedded farm keeps its job store and objects in the data directory, so the restarted API resumes the job.
        using var api = await ApiServer.StartAsync(ApiFactory.Settings(Directory.CreateDirectory(Path.Combine(_dir, "farm")).FullName));
        var input = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir, "in")).FullName, "cat.png");
        var output = Path.Combine(_dir, "out");
        await File.WriteAllBytesAsync(input, Jobs.Png("chelsea.png", 96, 64));
        using var cli = ChildProcess.Start(RepoPaths.Cli,
            ["submit", input, "--api", api.Url, "--key", ApiFactory.AcmeKey, "--tile", "16", "--halo", "4", "--wait", "-o", output + "/"]);

        var id = await cli.WaitForLineAsync(line => Guid.TryParse(line, out _), TimeSpan.FromSeconds(60));
        api.Kill();
        // Down long enough for the client's polls to meet it, then back on the same port and data.
        var down = Stopwatch.StartNew();
        while (cli.Stderr.Count == 0 && down.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(50);
        await api.RestartAsync();

        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, cli.Log);
        // One line for the outage (the kill may cut a poll in flight, or the next one finds nothing listening), no stack trace.
        Assert.Contains(Assert.Single(cli.Stderr), new[]
        {
            "upscalefarm: the farm API is unavailable (the connection was cut); retrying…",
            "upscalefarm: the farm API is unavailable (could not connect); retrying…",
        });
        Assert.Equal(new[] { id, Path.Combine(output, "cat.png") }, cli.Stdout);
        using var image = Image.NewFromFile(Path.Combine(output, "cat.png"));
        Assert.Equal((384, 256), (image.Width, image.Height));
    }

    [Fact]
    public async Task Submit_to_an_api_that_stays_down_gives_up_after_the_tolerance_in_one_line()
    {
        var port = LoopbackPort.Free();
        var input = Path.Combine(_dir, "cat.png");
        await File.WriteAllBytesAsync(input, Jobs.Png("chelsea.png", 16, 16));
        var watch = Stopwatch.StartNew();
        using var cli = ChildProcess.Start(RepoPaths.Cli,
            ["submit", input, "--api", $"http://127.0.0.1:{port}", "--key", ApiFactory.AcmeKey, "--wait", "--outage-tolerance", "3"]);

        Assert.Equal(1, await cli.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30)); // retried 1 + 2 s, then gave up
        Assert.Equal(new[]
        {
            "upscalefarm: the farm API is unavailable (could not connect); retrying…",
            "upscalefarm: error: the farm API stayed unavailable for 3 s (could not connect)",
        }, cli.Stderr);
        Assert.Empty(cli.Stdout);
    }
}
