using System.Net;
using System.Net.Sockets;
using System.Text;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>
/// A TCP proxy in front of the S3 server that can be told to fail: it then cuts every open connection
/// and answers new requests with 503 Service Unavailable, as an overloaded or restarting S3 endpoint does.
/// It can also be slow (<see cref="Latency"/> before each chunk it forwards) and throttle (<see cref="ThrottleEvery"/>:
/// every Nth connection's first request gets 503 SlowDown, as S3 answers a prefix past its request rate).
/// </summary>
internal sealed class FaultProxy : IDisposable
{
    private static readonly byte[] Unavailable = Encoding.ASCII.GetBytes(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: 84\r\nConnection: close\r\n\r\n" +
        "<Error><Code>ServiceUnavailable</Code><Message>fault injected</Message></Error>    ");

    private static readonly byte[] SlowDown = Response(503, "Slow Down", "SlowDown", "Please reduce your request rate.");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private volatile bool _failing;

    public FaultProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        _ = AcceptLoop();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Requests refused while failing.</summary>
    public int Refused;

    /// <summary>Requests answered 503 SlowDown.</summary>
    public int Throttled;

    /// <summary>Waited before forwarding each chunk, either way.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When above 0, every Nth new connection is answered 503 SlowDown and closed.</summary>
    public int ThrottleEvery { get; set; }

    private int _connections;

    public bool Failing
    {
        get => _failing;
        set
        {
            _failing = value;
            if (value)
                lock (_open)
                {
                    foreach (var client in _open)
                        client.Dispose();
                    _open.Clear();
                }
        }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Handle(client);
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            if (_failing)
            {
                Interlocked.Increment(ref Refused);
                await Refuse(client, Unavailable);
                return;
            }
            if (ThrottleEvery > 0 && Interlocked.Increment(ref _connections) % ThrottleEvery == 0)
            {
                Interlocked.Increment(ref Throttled);
                await Refuse(client, SlowDown);
                return;
            }
            using var upstream = new TcpClient();
            lock (_open)
            {
                _open.Add(client);
                _open.Add(upstream);
            }
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token);
                var down = client.GetStream();
                var up = upstream.GetStream();
                await Task.WhenAny(PumpAsync(down, up, _stop.Token), PumpAsync(up, down, _stop.Token));
            }
            catch (Exception)
            {
                // A cut connection is the fault being injected.
            }
            finally
            {
                lock (_open)
                {
                    _open.Remove(client);
                    _open.Remove(upstream);
                }
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken cancellation)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellation)) > 0)
        {
            if (Latency > TimeSpan.Zero)
                await Task.Delay(Latency, cancellation);
            await to.WriteAsync(buffer.AsMemory(0, read), cancellation);
        }
    }

    private static byte[] Response(int status, string reason, string code, string message)
    {
        var body = $"<Error><Code>{code}</Code><Message>{message}</Message></Error>";
        return Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
    }

    private static async Task Refuse(TcpClient client, byte[] response)
    {
        try
        {
            var stream = client.GetStream();
            // Read the request head so the client sees a response, not a reset, then close.
            var buffer = new byte[8192];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            _ = await stream.ReadAsync(buffer, timeout.Token);
            await stream.WriteAsync(response, timeout.Token);
        }
        catch (Exception)
        {
            // The client gave up first: also a failure from its side.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Failing = true;
    }
}
