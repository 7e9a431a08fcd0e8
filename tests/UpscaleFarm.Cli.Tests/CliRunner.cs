using System.Diagnostics;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Cli.Tests;

/// <summary>Runs the real CLI in its own process, as a user would.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(params string[] args) => RunWith(RepoPaths.Models, args);

    /// <summary>Runs with another models directory (for imports that must not touch the repository's).</summary>
    public static Result RunWith(string modelsDirectory, params string[] args)
    {
        using var process = Start(modelsDirectory, args);
        return Wait(process);
    }

    /// <summary>Starts the CLI without waiting, for tests that signal it.</summary>
    public static Process Start(string modelsDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(RepoPaths.Cli, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        start.Environment["UPSCALEFARM_MODELS"] = modelsDirectory;
        return Process.Start(start)!;
    }

    public static Result Wait(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("upscalefarm did not finish in 5 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
