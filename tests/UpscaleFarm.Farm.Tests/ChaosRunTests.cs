using System.Diagnostics;
using System.Text.RegularExpressions;
using UpscaleFarm.Testing;
using Xunit;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The bounded chaos run (scripts/chaos.sh --quick): the distributed farm, each role its own process, through
/// every fault of docs/reliability.md's table (SIGKILL and SIGSTOP of roles, the object store, broker and
/// database stopped, a worker's network cut in nftables, a full scratch disk) while jobs run attached with
/// `farm submit --wait`; every result must be byte-identical to `upscale`. It runs on its own servers (other
/// ports, its own state directory), so stopping them touches no other test.
/// </summary>
public sealed partial class ChaosRunTests
{
    private static readonly Dictionary<string, string> OwnServers = new()
    {
        ["UPSCALEFARM_RABBITMQ_PORT"] = "5693", ["UPSCALEFARM_POSTGRES_PORT"] = "5453", ["UPSCALEFARM_S3_PORT"] = "4589",
    };

    [Fact]
    public void Every_fault_of_the_quick_chaos_run_leaves_every_job_completed_and_identical()
    {
        // Network namespaces, nftables and a tmpfs need root, as scripts/test.sh (which installs packages) has.
        Assert.True(Environment.UserName == "root", "the chaos run needs root: run the suite as scripts/test.sh does");
        try
        {
            var (exitCode, output) = Run("chaos.sh", "--quick");
            Assert.True(exitCode == 0, output);
            var rows = FaultRow().Matches(output);
            // Every fault ran, with jobs in flight, and every one of those jobs came back identical.
            Assert.Equal(10, rows.Count);
            foreach (Match row in rows)
            {
                Assert.True(int.Parse(row.Groups["inflight"].Value) > 0, $"no job was in flight during: {row.Value}");
                Assert.True(row.Groups["not"].Value == "0", output);
            }
            Assert.Matches(@"jobs: (\d+) submitted with --wait, \1 byte-identical", output);
        }
        finally
        {
            Run("services.sh", "stop");
        }
    }

    private static (int ExitCode, string Output) Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", script));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (key, value) in OwnServers)
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish in 20 minutes: {stderr.Result}{stdout.Result}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"^\| (?<fault>[^|]+) \| (?<inflight>\d+) \| (?<ok>\d+) identical, (?<not>\d+) not \|", RegexOptions.Multiline)]
    private static partial Regex FaultRow();
}
