using System.Diagnostics;
using System.Text;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>
/// One `upscalefarm serve --role …` process, configured by environment variables (Farm__…), with its
/// output kept for the test's failure message.
/// </summary>
internal sealed class FarmProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FarmProcess(string role, string instanceName, Process process)
    {
        Role = role;
        InstanceName = instanceName;
        _process = process;
    }

    public string Role { get; }

    /// <summary>Farm:InstanceName: what the job store's tile rows call this process.</summary>
    public string InstanceName { get; }
    public int Id => _process.Id;
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Starts the role and waits until its bus is connected and consuming.</summary>
    public static async Task<FarmProcess> StartAsync(string role, IDictionary<string, string?> settings, string instanceName)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "upscalefarm"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--role");
        start.ArgumentList.Add(role);
        foreach (var (key, value) in settings)
            start.Environment[key.Replace(":", "__")] = value;
        start.Environment["Farm__InstanceName"] = instanceName;
        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";

        var farm = new FarmProcess(role, instanceName, new Process { StartInfo = start, EnableRaisingEvents = true });
        farm._process.OutputDataReceived += (_, e) => farm.Append(e.Data);
        farm._process.ErrorDataReceived += (_, e) => farm.Append(e.Data);
        farm._process.Exited += (_, _) => farm._started.TrySetException(new InvalidOperationException($"{role} exited early:\n{farm.Log}"));
        farm._process.Start();
        farm._process.BeginOutputReadLine();
        farm._process.BeginErrorReadLine();
        await farm._started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return farm;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
        if (line.Contains("Bus started"))
            _started.TrySetResult();
    }

    /// <summary>SIGTERM, as Kubernetes sends it, then waits for the process to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (Kill(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed");
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
        return _process.ExitCode;
    }

    private const int SigTerm = 15;

    /// <summary>Waits for the process to exit by itself (a fault injected to kill it); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Role} did not exit within {timeout}:\n{Log}");
        }
        return _process.ExitCode;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

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
}
