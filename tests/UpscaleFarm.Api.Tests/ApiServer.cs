using System.Diagnostics;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// The API as its own process (its apphost beside the tests) on a loopback port, for what only a real
/// process shows: a client riding through the API's SIGKILL and restart, or through its dependencies' outages.
/// </summary>
internal sealed class ApiServer : IDisposable
{
    private readonly IDictionary<string, string?> _settings;
    private ChildProcess _process;

    private ApiServer(IDictionary<string, string?> settings, int port, ChildProcess process)
    {
        _settings = settings;
        Url = $"http://127.0.0.1:{port}";
        _process = process;
    }

    public string Url { get; }

    /// <summary>Starts the API with these settings (as Api__… and Farm__… variables) and waits until it answers.</summary>
    public static async Task<ApiServer> StartAsync(IDictionary<string, string?> settings)
    {
        var port = LoopbackPort.Free();
        var server = new ApiServer(settings, port, Launch(settings, port));
        await server.WaitUntilLiveAsync();
        return server;
    }

    private static ChildProcess Launch(IDictionary<string, string?> settings, int port) =>
        ChildProcess.Start(Path.Combine(AppContext.BaseDirectory, "UpscaleFarm.Api"), ["--urls", $"http://127.0.0.1:{port}"], settings);

    /// <summary>SIGKILL: the API dies mid-whatever, as a node failure or an OOM kill does.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Starts the API again, with the same settings and port, and waits until it answers.</summary>
    public async Task RestartAsync()
    {
        _process.Dispose();
        _process = Launch(_settings, new Uri(Url).Port);
        await WaitUntilLiveAsync();
    }

    private async Task WaitUntilLiveAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var live = await http.GetAsync(Url + "/health/live");
                if (live.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (_process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(60))
                throw new InvalidOperationException($"the API did not start (exited: {_process.HasExited})\n{_process.Log}");
            await Task.Delay(200);
        }
    }

    public void Dispose() => _process.Dispose();
}
