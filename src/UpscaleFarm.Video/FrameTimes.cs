using System.Globalization;
using System.Text;

namespace UpscaleFarm.Video;

/// <summary>A video's duration and frame timestamps as a small text file: the duration, then one timestamp per line (seconds).</summary>
public static class FrameTimes
{
    public static string Format(double durationSeconds, IReadOnlyList<double> times)
    {
        var text = new StringBuilder();
        text.Append(durationSeconds.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        foreach (var time in times)
            text.Append(time.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    public static (double DurationSeconds, IReadOnlyList<double> Times) Parse(string text)
    {
        var values = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => double.Parse(line, CultureInfo.InvariantCulture)).ToList();
        return values.Count < 2 ? throw new VideoException("the frame timestamps are missing") : (values[0], values.Skip(1).ToList());
    }
}
