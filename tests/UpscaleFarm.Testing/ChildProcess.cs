using System.Diagnostics;
using System.Runtime.InteropServices;

namespace UpscaleFarm.Testing;

/// <summary>
/// A program of the solution (the CLI, the API's apphost) run as its own process, as a user or an orchestrator
/// runs it: configured by environment variables, its stdout and stderr kept line by line for assertions and for
/// the test's failure message.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<string> _both = [];
    private readonly Lock _gate = new();

    private ChildProcess(Process process) => _process = process;

    /// <param name="program">the program's path (e.g. <see cref="RepoPaths.Cli"/>)</param>
    /// <param name="settings">configuration keys ("Farm:Transport"), passed as environment variables ("Farm__Transport")</param>
    public static ChildProcess Start(string program, IEnumerable<string> args, IDictionary<string, string?>? settings = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Not the repository: a process must not pick up an appsettings.json or a data directory of the developer's.
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            start.Environment[key.Replace(":", "__")] = value;
        var child = new ChildProcess(new Process { StartInfo = start });
        child._process.OutputDataReceived += (_, e) => child.Append(child._stdout, e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Append(child._stderr, e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    public int Id => _process.Id;
    public IReadOnlyList<string> Stdout { get { lock (_gate) return [.. _stdout]; } }
    public IReadOnlyList<string> Stderr { get { lock (_gate) return [.. _stderr]; } }
    public bool HasExited => _process.HasExited;

    /// <summary>Both outputs as they came, for a failure message.</summary>
    public string Log { get { lock (_gate) return string.Join('\n', _both); } }

    private void Append(List<string> lines, string? line)
    {
        if (line is null)
            return;
        lock (_gate)
        {
            lines.Add(line);
            _both.Add(line);
        }
    }

    /// <summary>Waits for a line on stdout that satisfies <paramref name="match"/>; fails with the output if the process exits or time runs out first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (Stdout.FirstOrDefault(match) is { } line)
                return line;
            if (_process.HasExited || watch.Elapsed > timeout)
                throw new TimeoutException($"no such line after {watch.Elapsed.TotalSeconds:0} s (exited: {_process.HasExited})\n{Log}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the process to exit by itself; returns its exit code, or fails with its output.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"still running after {timeout.TotalSeconds:0} s\n{Log}");
        }
        _process.WaitForExit(); // the asynchronous readers reach the end of both outputs
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as Kubernetes sends it, then waits for the process to exit; returns its exit code.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (kill(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed");
        return WaitForExitAsync(timeout);
    }

    /// <summary>SIGKILL: no chance to finish or return anything.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            Kill();
        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
