using System.Diagnostics;
using System.Text;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// A program beside the tests (the API's or the CLI's apphost) run as its own process, as a user runs it:
/// configured by environment variables, its stdout and stderr kept line by line for assertions and for
/// the test's failure message.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _gate = new();

    private ChildProcess(Process process) => _process = process;

    public static ChildProcess Start(string program, IEnumerable<string> args, IDictionary<string, string?>? settings = null)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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

    public IReadOnlyList<string> Stdout { get { lock (_gate) return [.. _stdout]; } }
    public IReadOnlyList<string> Stderr { get { lock (_gate) return [.. _stderr]; } }
    public bool HasExited => _process.HasExited;

    /// <summary>Both outputs, for a failure message.</summary>
    public string Log => $"stdout:\n{string.Join('\n', Stdout)}\nstderr:\n{string.Join('\n', Stderr)}";

    private void Append(List<string> lines, string? line)
    {
        if (line is not null)
            lock (_gate)
                lines.Add(line);
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

    /// <summary>Waits for the process to exit; returns its exit code, or fails with its output.</summary>
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

    /// <summary>SIGKILL: no chance to finish anything.</summary>
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
}
