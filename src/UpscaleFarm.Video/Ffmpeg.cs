using System.Diagnostics;

namespace UpscaleFarm.Video;

/// <summary>
/// Runs ffmpeg or ffprobe with an argument list (never through a shell), collecting stdout and the end
/// of stderr; a non-zero exit becomes a <see cref="VideoException"/> with ffmpeg's own last words.
/// </summary>
public static class Ffmpeg
{
    public static async Task<string> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VideoException($"{tool} is not installed (Debian: apt-get install ffmpeg): {e.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            var stderr = process.StandardError.ReadToEndAsync(cancellation);
            try
            {
                await process.WaitForExitAsync(cancellation);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            if (process.ExitCode != 0)
            {
                var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                throw new VideoException($"{tool} failed: {string.Join(" ", lines.TakeLast(2))}");
            }
            return await stdout;
        }
    }
}
