using System.Diagnostics;
using System.Text.RegularExpressions;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Cli.Tests;

/// <summary>
/// A farm sends nothing anywhere its operator did not configure: the CLI's embedded farm (coordinator,
/// worker and assembler on MassTransit's in-memory bus) is run under strace, and every connect() it or
/// its children make must reach loopback or a local socket. (MassTransit's usage report would come five
/// minutes after start, so it is also checked where it is switched off, in Api.Tests' telemetry test.)
/// </summary>
[Collection(ModelsCollection.Name)]
public sealed partial class OutboundConnectionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_embedded_farm_run_connects_to_nothing_outside_this_machine()
    {
        var input = TestImages.Crop("chelsea.png", 0, 0, 48, 32, _dir.File("in.png"));
        var log = _dir.File("connect.log");
        var start = new ProcessStartInfo("strace", ["-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", log,
            RepoPaths.Cli, "upscale", input, "-o", _dir.File("out.png"), "--tile", "32", "--halo", "8", "--device", "cpu"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        start.Environment["UPSCALEFARM_MODELS"] = RepoPaths.Models;
        using var process = Process.Start(start)!;
        var result = CliRunner.Wait(process);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(_dir.File("out.png")));

        var calls = File.ReadAllLines(log);
        // strace traced the run: it saw the process ask the kernel (netlink) about its network interfaces, which NewId does for its ids.
        Assert.Contains(calls, line => line.Contains("sendto(", StringComparison.Ordinal));
        Assert.Empty(Outside(calls));
    }

    [Fact]
    public void The_check_recognises_connections_outside_loopback()
    {
        string[] lines =
        [
            """12 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("203.0.113.7")}, 16) = -1 EINPROGRESS""",
            """12 connect(5, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = 0""",
            """12 connect(6, {sa_family=AF_INET, sin_port=htons(5672), sin_addr=inet_addr("127.0.0.1")}, 16) = 0""",
            """12 connect(7, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0""",
            """12 connect(8, {sa_family=AF_UNIX, sun_path="/tmp/x"}, 110) = 0""",
        ];
        Assert.Equal(2, Outside(lines).Count);
    }

    /// <summary>The traced calls whose address is an IP address outside loopback.</summary>
    private static List<string> Outside(IEnumerable<string> lines) =>
        lines.Where(line => Address().Match(line) is { Success: true } m && !IsLoopback(m.Groups["ip"].Value)).ToList();

    private static bool IsLoopback(string ip) =>
        ip.StartsWith("127.", StringComparison.Ordinal) || ip is "::1" || ip.StartsWith("::ffff:127.", StringComparison.Ordinal);

    [GeneratedRegex(@"(?:inet_addr\(""|inet_pton\(AF_INET6?, "")(?<ip>[^""]+)""")]
    private static partial Regex Address();
}
