using System.Diagnostics;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// A PostgreSQL server of these tests' own: a fresh cluster (Debian's server binaries, which
/// scripts/services.sh installs) on a free loopback port, which a test may stop and start as an outage.
/// Stopping the shared one of scripts/services.sh would pull it from under the farm tests, which may run
/// at the same time as these.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("upscalefarm-pg-").FullName;
    private readonly string _bin;
    private readonly int _port;
    private bool _running;

    public PostgresServer()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderBy(b => b, StringComparer.Ordinal).LastOrDefault() ?? ""
            : "";
        if (_bin.Length == 0)
            throw new InvalidOperationException("PostgreSQL's server is not installed: scripts/services.sh start installs it");
        // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user (as in scripts/services.sh).
        if (Environment.UserName == "root")
            Run("chown", "-R", "postgres", _directory);
        Pg("initdb", "-D", DataDirectory, "-U", "postgres", "--auth=trust");
        _port = LoopbackPort.Free();
        Start();
    }

    /// <summary>Creates an empty database (each API host its own: embedded farms must not share a job store); returns its connection string.</summary>
    public string CreateDatabase(string name)
    {
        Pg("createdb", "-h", "127.0.0.1", "-p", _port.ToString(), "-U", "postgres", name);
        return $"Host=127.0.0.1;Port={_port};Database={name};Username=postgres";
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    public void Start()
    {
        Pg("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(_directory, "log"), "-w",
            "-o", $"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1", "start");
        _running = true;
    }

    /// <summary>Stops the server at once, cutting its connections (a fast shutdown, as a failover does).</summary>
    public void Stop()
    {
        Pg("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "stop");
        _running = false;
    }

    private void Pg(string tool, params string[] args)
    {
        var path = Path.Combine(_bin, tool);
        if (Environment.UserName == "root")
            Run("runuser", ["-u", "postgres", "--", path, .. args]);
        else
            Run(path, args);
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in a minute");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {stderr.Result}{stdout.Result}");
    }

    public void Dispose()
    {
        if (_running)
            Stop();
        Directory.Delete(_directory, recursive: true);
    }
}
