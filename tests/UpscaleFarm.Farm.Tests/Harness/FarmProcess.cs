using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>
/// One `upscalefarm serve --role …` process, configured by environment variables (Farm__…), with its
/// output kept for the test's failure message.
/// </summary>
internal sealed class FarmProcess : IDisposable
{
    private readonly ChildProcess _process;

    private FarmProcess(string role, string instanceName, ChildProcess process)
    {
        Role = role;
        InstanceName = instanceName;
        _process = process;
    }

    public string Role { get; }

    /// <summary>Farm:InstanceName: what the job store's tile rows call this process.</summary>
    public string InstanceName { get; }
    public int Id => _process.Id;
    public string Log => _process.Log;

    /// <summary>Starts the role and waits until its bus is connected and consuming.</summary>
    /// <param name="killAt">
    /// a checkpoint (<see cref="Farm.Telemetry.FarmDiagnostics"/>) where the process kills itself: the role then runs in
    /// the tests' farm host (tests/UpscaleFarm.Testing.FarmHost) instead of `upscalefarm serve`
    /// </param>
    public static async Task<FarmProcess> StartAsync(string role, IDictionary<string, string?> settings, string instanceName, string? killAt = null)
    {
        var environment = new Dictionary<string, string?>(settings)
        {
            ["Farm:InstanceName"] = instanceName,
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:Console:FormatterName"] = "simple",
        };
        var process = killAt is null
            ? ChildProcess.Start(RepoPaths.Cli, ["serve", "--role", role], environment)
            : ChildProcess.Start(RepoPaths.Program(Path.Combine("tests", "UpscaleFarm.Testing.FarmHost"), "upscalefarm-testhost"), [role, killAt], environment);
        var farm = new FarmProcess(role, instanceName, process);
        try
        {
            await farm._process.WaitForLineAsync(line => line.Contains("Bus started"), TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            farm.Dispose();
            throw new InvalidOperationException($"{role} did not start: {e.Message}");
        }
        return farm;
    }

    /// <summary>SIGTERM, as Kubernetes sends it, then waits for the process to exit; returns its exit code.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout) => _process.TerminateAsync(timeout);

    /// <summary>Waits for the process to exit by itself (a fault injected to kill it); returns its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <summary>SIGKILL: no chance to finish or return anything.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}
