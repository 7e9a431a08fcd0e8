using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace UpscaleFarm.Video;

/// <summary>
/// Runs ffmpeg or ffprobe with an argument list (never through a shell) inside <see cref="MediaLimits"/>:
/// the kernel's CPU, memory and file-size limits through util-linux's prlimit, and a wall clock that kills
/// the process tree. stdout is collected (bounded); the end of stderr is kept for operators only, in
/// <see cref="VideoException.Detail"/> and an event on the current <see cref="Activity"/>, because it names
/// server paths and says what ffmpeg made of the file.
/// </summary>
public static class Ffmpeg
{
    /// <summary>stdout is read into memory: JSON and CSV from ffprobe need far less than this.</summary>
    private const long MaxStdoutChars = 64L << 20;

    /// <summary>The end of stderr kept for the operator.</summary>
    private const int StderrTailChars = 8 << 10;

    // Exit statuses .NET reports for a process killed by a signal: 128 + the signal's number.
    private const int KilledByCpuLimit = 128 + 24; // SIGXCPU, at RLIMIT_CPU
    private const int KilledBySignal = 128 + 9; // SIGKILL, past RLIMIT_CPU's hard limit
    private const int KilledByFileSizeLimit = 128 + 25; // SIGXFSZ, at RLIMIT_FSIZE

    private static readonly string? PrlimitPath = FindOnPath("prlimit");

    /// <summary>
    /// Whether CPU, memory and file-size limits are applied (prlimit is installed: Debian's util-linux).
    /// Without it the tool runs directly and only the wall clock and the stdout bound hold: each such run adds a
    /// "media.limits.unavailable" event to the current activity, and the assembler logs a warning per job.
    /// </summary>
    public static bool ResourceLimitsApplied => PrlimitPath is not null;

    /// <summary>Runs <paramref name="tool"/>; a non-zero exit is a <see cref="VideoException"/> whose message is <paramref name="failure"/> or the limit that stopped it.</summary>
    public static async Task<string> RunAsync(string tool, IEnumerable<string> arguments, MediaLimits limits, string failure, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(PrlimitPath ?? tool)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (PrlimitPath is not null)
        {
            // prlimit sets the limits on itself and then becomes the tool (exec), so the process killed on timeout is the tool.
            foreach (var argument in (string[])[$"--cpu={limits.CpuSeconds}", $"--as={limits.MaxMemoryBytes}", $"--fsize={limits.MaxOutputBytes}", "--", tool])
                start.ArgumentList.Add(argument);
        }
        else
        {
            Activity.Current?.AddEvent(new ActivityEvent("media.limits.unavailable",
                tags: new ActivityTagsCollection { ["media.tool"] = tool, ["media.reason"] = "prlimit (util-linux) is not installed" }));
        }
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // glibc reserves up to 64 MiB of address space per thread's arena, which RLIMIT_AS counts: a many-core host's
        // decoder threads would fail on reservations, not use. Two arenas are plenty for ffmpeg's few allocating threads.
        start.Environment["MALLOC_ARENA_MAX"] = "2";

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new VideoException("the video tools are not installed on this server", $"{tool} (Debian: apt-get install ffmpeg): {e.Message}");
        }
        using (process)
        {
            process.StandardInput.Close();
            var maxStdout = Math.Min(limits.MaxOutputBytes, MaxStdoutChars);
            var stdout = ReadBoundedAsync(process.StandardOutput, maxStdout);
            var stderr = ReadTailAsync(process.StandardError);
            async Task<VideoException> OverflowAsync() =>
                Failed($"{tool} printed more than {maxStdout} bytes and was stopped", tool, "stdout overflow", await stderr);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            deadline.CancelAfter(limits.Timeout);
            var waiting = process.WaitForExitAsync(deadline.Token);
            // Stops the tool as soon as stdout overflows, rather than at its end.
            if (await Task.WhenAny(waiting, stdout) == stdout && (await stdout).Overflowed)
                deadline.Cancel();
            try
            {
                await waiting;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                cancellation.ThrowIfCancellationRequested();
                if ((await stdout).Overflowed)
                    throw await OverflowAsync();
                throw Failed($"{tool} took longer than {limits.Timeout.TotalSeconds:0.#} s and was stopped", tool, "timeout", await stderr);
            }
            // A tool that printed past the limit and exited before the overflow was seen is refused all the same: its
            // output was cut short, and read as it is it would be parsed wrong.
            var (text, overflowed) = await stdout;
            if (overflowed)
                throw await OverflowAsync();
            var exit = process.ExitCode;
            if (exit == 0)
                return text;
            var tail = await stderr;
            var message = exit switch
            {
                KilledByFileSizeLimit => $"{tool} wrote more than {limits.MaxOutputBytes} bytes of output and was stopped",
                _ when tail.Contains("File too large", StringComparison.Ordinal) => $"{tool} wrote more than {limits.MaxOutputBytes} bytes of output and was stopped",
                KilledByCpuLimit or KilledBySignal => $"{tool} used more than {limits.CpuSeconds} s of CPU time and was stopped",
                _ when OutOfMemory(tail) => $"{tool} needed more than {limits.MaxMemoryBytes} bytes of memory and was stopped",
                _ => failure,
            };
            throw Failed(message, tool, $"exit status {exit}", tail);
        }
    }

    /// <summary>
    /// How an allocation refused at RLIMIT_AS shows: ffmpeg's ENOMEM, a codec library's own malloc message (x264),
    /// or the loader unable to map a shared library when the limit is below what the tool needs to start.
    /// </summary>
    private static bool OutOfMemory(string stderr) =>
        stderr.Contains("Cannot allocate memory", StringComparison.Ordinal) || stderr.Contains(": malloc of size", StringComparison.Ordinal)
        || stderr.Contains("failed to map segment", StringComparison.Ordinal);

    private static VideoException Failed(string message, string tool, string how, string stderr)
    {
        var detail = $"{tool}: {how}: {stderr.Trim()}";
        Activity.Current?.AddEvent(new ActivityEvent("media.tool.failed",
            tags: new ActivityTagsCollection { ["media.tool"] = tool, ["media.failure"] = message, ["media.detail"] = detail }));
        return new VideoException(message, detail);
    }

    /// <summary>All of stdout up to <paramref name="max"/> characters; past it, the rest is drained and <c>Overflowed</c> is set.</summary>
    private static async Task<(string Text, bool Overflowed)> ReadBoundedAsync(StreamReader reader, long max)
    {
        var text = new StringBuilder();
        var buffer = new char[16 << 10];
        var overflowed = false;
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            if (text.Length + read > max)
                overflowed = true;
            else if (!overflowed)
                text.Append(buffer, 0, read);
            if (overflowed)
                return (text.ToString(), true);
        }
        return (text.ToString(), false);
    }

    /// <summary>The last <see cref="StderrTailChars"/> characters of stderr: the end is what says why a tool failed.</summary>
    private static async Task<string> ReadTailAsync(StreamReader reader)
    {
        var tail = new StringBuilder();
        var buffer = new char[4 << 10];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            tail.Append(buffer, 0, read);
            if (tail.Length > 2 * StderrTailChars)
                tail.Remove(0, tail.Length - StderrTailChars);
        }
        return tail.Length > StderrTailChars ? tail.ToString(tail.Length - StderrTailChars, StderrTailChars) : tail.ToString();
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Append("/usr/bin").Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
}
