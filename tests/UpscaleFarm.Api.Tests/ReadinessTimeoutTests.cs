using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// Readiness against an object store that accepts connections and never answers (a hung server, a
/// black-holed route): it answers 503 naming the store within the probes' 5 s instead of hanging, and
/// callers at the same time share one probe of the store.
/// </summary>
public sealed class ReadinessTimeoutTests : IDisposable
{
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;

    public ReadinessTimeoutTests()
    {
        _silent.Start();
        _ = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _silent.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                lock (_held)
                    _held.Add(client); // held open, never read or answered
            }
        }
        catch (OperationCanceledException)
        {
            // The test is over.
        }
    }

    private sealed class SilentStoreApi(int port) : ApiFactory(new Dictionary<string, string?>
    {
        ["Farm:Storage"] = "s3",
        ["Farm:S3ServiceUrl"] = $"http://127.0.0.1:{port}",
        ["Farm:S3Bucket"] = "silent",
    });

    [Fact]
    public async Task Readiness_answers_in_time_naming_a_store_that_never_answers_and_callers_share_one_probe()
    {
        using var api = new SilentStoreApi(((IPEndPoint)_silent.LocalEndpoint).Port);
        var client = api.ClientFor(key: null);
        using (var live = await client.GetAsync("/health/live")) // the host is up before the clock starts
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        // The retention sweeper lists the store at start-up, and that listing hangs here too: count from when it has.
        var before = -1;
        for (var i = 0; i < 20 && before != Volatile.Read(ref _accepted); i++)
        {
            before = Volatile.Read(ref _accepted);
            await Task.Delay(500);
        }

        var watch = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.GetAsync("/health/ready")));
        var elapsed = watch.Elapsed;

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        Assert.InRange(elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(5)); // the 3 s probe timeout, under the probes' 5 s
        using var report = JsonDocument.Parse(await responses[0].Content.ReadAsStringAsync());
        Assert.Equal("object-store", Assert.Single(report.RootElement.GetProperty("unavailable").EnumerateArray()).GetString());
        Assert.Equal(1, Volatile.Read(ref _accepted) - before); // five callers, one probe
        foreach (var response in responses)
            response.Dispose();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _silent.Stop();
        lock (_held)
            foreach (var client in _held)
                client.Dispose();
        _stop.Dispose();
    }
}
