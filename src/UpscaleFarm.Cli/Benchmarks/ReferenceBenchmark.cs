using System.Diagnostics;

namespace UpscaleFarm.Cli.Benchmarks;

/// <summary>Times realesrgan-ncnn-vulkan (upscayl-bin) on the same image, for comparison only.</summary>
public static class ReferenceBenchmark
{
    public static TimeSpan Run(string binary, string modelsDirectory, string ncnnModel, string image, string output)
    {
        var start = new ProcessStartInfo(binary, ["-i", image, "-o", output, "-m", modelsDirectory, "-n", ncnnModel, "-s", "4"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(output))
            throw new InvalidOperationException($"{Path.GetFileName(binary)} failed: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        return watch.Elapsed;
    }
}
