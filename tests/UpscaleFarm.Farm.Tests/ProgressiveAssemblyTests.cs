using System.Diagnostics.Metrics;
using NetVips;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Models.Synthetic;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// A frame's result written row by row while its tiles are upscaled (Assembler:Progressive) has the same bytes as one
/// assembled whole once every tile is done, and as the one-process engine's: 8-bit RGB, RGBA with the alpha through the
/// model, 16-bit grey, and 16-bit RGBA with the alpha resampled from the source; and with a final rescale (its Lanczos
/// reading back across the streamed strips), the same bytes as the whole-frame path. The embedded farm, in 150 tiles a
/// frame so that the writer starts well before the last tile; the frames-assembled counter says which path wrote each.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class ProgressiveAssemblyTests : IDisposable
{
    private const int TileSize = 64, Halo = 8;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Progressive_results_equal_whole_frame_results_and_the_engine_byte_for_byte()
    {
        var frames = Sources();
        var (progressive, progressivePaths) = await RunAsync(frames, progressive: true);
        var (whole, wholePaths) = await RunAsync(frames, progressive: false);

        Assert.Equal(frames.Length + 1, progressivePaths.GetValueOrDefault("progressive"));
        Assert.Equal(0, progressivePaths.GetValueOrDefault("whole"));
        Assert.Equal(frames.Length + 1, wholePaths.GetValueOrDefault("whole"));
        Assert.Equal(0, wholePaths.GetValueOrDefault("progressive"));
        // The rescaled result (the last job) has no engine reference here: the whole-frame path is the reference.
        Assert.True(whole[^1].AsSpan().SequenceEqual(progressive[^1]), "with --outscale 2.5 the progressive result differs from the whole-frame one");
        for (var i = 0; i < frames.Length; i++)
        {
            var (path, alpha) = frames[i];
            var engine = ReferenceUpscale.Run(TestModels.NearestDirectory, NearestNeighbourModel.Id, path, _dir.File($"engine-{i}.png"), TileSize, Halo, alpha);
            Assert.True(engine.AsSpan().SequenceEqual(whole[i]), $"{Path.GetFileName(path)}: the whole-frame result differs from the engine's");
            Assert.True(engine.AsSpan().SequenceEqual(progressive[i]), $"{Path.GetFileName(path)}: the progressive result differs from the engine's");
        }
    }

    /// <summary>Runs each source as its own job, one after another; returns the results and how many frames each path assembled.</summary>
    private async Task<(List<byte[]> Results, Dictionary<string, int> Paths)> RunAsync((string Path, AlphaMode Alpha)[] frames, bool progressive)
    {
        var paths = new Dictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FarmTelemetry.Name && instrument.Name == "upscalefarm.frames.assembled")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == FarmTelemetry.Tags.Assembly)
                    lock (paths)
                        paths[(string)tag.Value!] = paths.GetValueOrDefault((string)tag.Value!) + (int)value;
        });
        listener.Start();

        var mode = progressive ? "progressive" : "whole";
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File($"farm-{mode}"),
            ["Farm:ModelsDirectory"] = TestModels.NearestDirectory,
            ["Farm:Assembler:Progressive"] = progressive ? "true" : "false",
            ["Farm:Assembler:WriterPollMs"] = "20",
        });
        var results = new List<byte[]>();
        IEnumerable<(string Path, JobRequest Request)> jobs = frames
            .Select(f => (f.Path, new JobRequest { Options = new() { TileSize = TileSize, Halo = Halo, Alpha = f.Alpha } }))
            .Append((frames[0].Path, new JobRequest { Options = new() { TileSize = TileSize, Halo = Halo, OutScale = 2.5 } }));
        foreach (var (path, request) in jobs)
        {
            var id = await farm.Client.SubmitAsync([path], request);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var job = await farm.Client.WaitAsync(id, cancellation: timeout.Token);
            EmbeddedFarmTests.AssertCompleted(job);
            var result = (await farm.Client.DownloadResultsAsync(id, f => _dir.File($"{mode}-{id:N}-{f}.png")))[0];
            results.Add(await File.ReadAllBytesAsync(result));
        }
        lock (paths)
            return (results, new Dictionary<string, int>(paths));
    }

    /// <summary>chelsea.png at twice its size (902×600: 15×10 tiles of 64), in four sample layouts.</summary>
    private (string Path, AlphaMode Alpha)[] Sources()
    {
        using var rgb = Image.NewFromFile(RepoPaths.SharedImage("chelsea.png")).Resize(2, Enums.Kernel.Nearest);
        using var ramp = (Image.Xyz(rgb.Width, rgb.Height)[0] * (255.0 / rgb.Width)).Cast(Enums.BandFormat.Uchar);
        var rgb8 = _dir.File("rgb8.png");
        rgb.WriteToFile(rgb8);
        var rgba8 = _dir.File("rgba8.png");
        using (var rgba = rgb.Bandjoin(ramp))
            rgba.WriteToFile(rgba8);
        var grey16 = _dir.File("grey16.png");
        using (var grey = rgb.Colourspace(Enums.Interpretation.Grey16))
            grey.WriteToFile(grey16);
        var rgba16 = _dir.File("rgba16.png");
        using (var rgba = rgb.Bandjoin(ramp).Colourspace(Enums.Interpretation.Rgb16))
            rgba.WriteToFile(rgba16);
        return [(rgb8, AlphaMode.Model), (rgba8, AlphaMode.Model), (grey16, AlphaMode.Model), (rgba16, AlphaMode.Resample)];
    }

    public void Dispose() => _dir.Dispose();
}
