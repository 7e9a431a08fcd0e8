using System.Diagnostics;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>Times the engine end to end (decode, tiles, inference, encode) on one image.</summary>
public static class ThroughputBenchmark
{
    /// <summary>The median of <paramref name="runs"/> timed runs after one warm-up run.</summary>
    public static (TimeSpan Median, UpscaleResult Result) Run(ModelSession session, UpscaleSettings settings, string image, string output, int runs)
    {
        var upscaler = new ImageUpscaler(session, settings);
        var encode = new EncodeOptions(ImageFormat.Png) { PngCompression = 1 };
        var result = upscaler.Upscale(image, output, encode);
        var times = new List<TimeSpan>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            result = upscaler.Upscale(image, output, encode);
            times.Add(watch.Elapsed);
        }
        times.Sort();
        return (times[times.Count / 2], result);
    }
}
