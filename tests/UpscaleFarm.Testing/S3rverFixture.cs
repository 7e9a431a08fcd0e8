using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using UpscaleFarm.Models.Setup;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Testing;

/// <summary>
/// A real S3-compatible server for the tests: s3rver 3.7.1 from npm (installed into .tools on first
/// use), started on a free loopback port with a fresh data directory and one bucket.
/// </summary>
public sealed class S3rverFixture : IDisposable
{
    public const string Bucket = "upscalefarm-test";
    private readonly string _data = Directory.CreateTempSubdirectory("s3rver-").FullName;
    private readonly ProcessStartInfo _start;
    private readonly int _port = LoopbackPort.Free();
    private Process _process;

    public S3rverFixture()
    {
        var package = NpmPackage.Ensure(Path.Combine(RepoPaths.Root, ".tools"), "s3rver", "3.7.1", TextWriter.Null);
        _start = new ProcessStartInfo("node", [Path.Combine(package, "bin", "s3rver.js"), "--directory", _data, "--address", "127.0.0.1",
            "--port", _port.ToString(), "--configure-bucket", Bucket, "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(_start)!;
        Settings = new S3Settings { ServiceUrl = $"http://127.0.0.1:{_port}", Bucket = Bucket, PartSize = 5 << 20 };
        WaitUntilListening(_port);
    }

    public S3Settings Settings { get; }

    /// <summary>Stops the server, as an outage of the object store: its objects stay for <see cref="Start"/>.</summary>
    public void Stop()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Starts the stopped server again, on the same port with the same objects.</summary>
    public void Start()
    {
        _process.Dispose();
        _process = Process.Start(_start)!;
        WaitUntilListening(_port);
    }

    private void WaitUntilListening(int port)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"s3rver exited: {_process.StandardError.ReadToEnd()}");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }
        throw new TimeoutException("s3rver did not start listening in 30 s");
    }


    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
