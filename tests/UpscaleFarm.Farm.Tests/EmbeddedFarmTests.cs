using NetVips;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Models.Synthetic;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>The embedded farm end to end: in-memory transport, SQLite and a directory, in this process.</summary>
[Collection(FarmCollection.Name)]
public sealed class EmbeddedFarmTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private Dictionary<string, string?> Settings(string models, PixelConversion conversion = PixelConversion.Auto) => new()
    {
        ["Farm:DataDirectory"] = _dir.File("farm"),
        ["Farm:ModelsDirectory"] = models,
        ["Farm:Worker:PixelConversion"] = conversion.ToString(),
    };

    [Fact]
    public async Task Nearest_model_result_is_an_exact_4x_replication_and_matches_the_engine_byte_for_byte()
    {
        var source = RepoPaths.SharedImage("chelsea.png");
        await using var farm = await EmbeddedFarm.StartAsync(Settings(TestModels.NearestDirectory));
        var job = await RunAsync(farm, [source], new JobRequest { Options = new() { TileSize = 128, Halo = 8 } });

        AssertCompleted(job);
        Assert.Equal(12, job.TilesTotal);
        Assert.Equal(12, job.TilesDone);
        var result = (await farm.Client.DownloadResultsAsync(job.Id, f => _dir.File($"result-{f}.png")))[0];

        using var expected = Image.NewFromFile(source).Resize(4, Enums.Kernel.Nearest);
        using var actual = Image.NewFromFile(result);
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        Assert.Equal(0, (expected - actual).Abs().Max());

        var engine = ReferenceUpscale.Run(TestModels.NearestDirectory, NearestNeighbourModel.Id, source, _dir.File("engine.png"), 128, 8);
        Assert.Equal(engine, File.ReadAllBytes(result));
    }

    /// <summary>
    /// Wherever the worker converts pixels (on the CPU, Auto means the host), and with several inferences in
    /// flight in batches, the bytes are the engine's.
    /// </summary>
    [Theory]
    [InlineData(PixelConversion.Host, 1, 1)]
    [InlineData(PixelConversion.Device, 1, 1)]
    [InlineData(PixelConversion.Device, 2, 2)]
    public async Task Real_esrgan_result_matches_the_engine_byte_for_byte(PixelConversion conversion, int streams, int batch)
    {
        var source = RepoPaths.SharedImage("chelsea.png");
        var settings = Settings(TestModels.RealDirectory, conversion);
        settings["Farm:Worker:InferenceStreams"] = streams.ToString();
        settings["Farm:Worker:BatchSize"] = batch.ToString();
        await using var farm = await EmbeddedFarm.StartAsync(settings);
        var job = await RunAsync(farm, [source], new JobRequest { Model = "general-x4v3", Options = new() { TileSize = 160, Halo = 16 } });

        AssertCompleted(job);
        Assert.Equal(6, job.TilesTotal);
        var result = (await farm.Client.DownloadResultsAsync(job.Id, f => _dir.File($"result-{f}.png")))[0];
        var engine = ReferenceUpscale.Run(TestModels.RealDirectory, "general-x4v3", source, _dir.File("engine.png"), 160, 16);
        Assert.Equal(engine, File.ReadAllBytes(result));
    }

    [Theory]
    [InlineData(PixelConversion.Host)]
    [InlineData(PixelConversion.Device)]
    public async Task Frame_set_of_rgba_grey16_and_jpeg_frames_matches_the_engine_frame_by_frame(PixelConversion conversion)
    {
        var rgba = _dir.File("rgba.png");
        using (var rgb = Image.NewFromFile(RepoPaths.SharedImage("chelsea.png")))
        using (var alpha = Image.Xyz(rgb.Width, rgb.Height)[0] * (255.0 / rgb.Width))
            rgb.Bandjoin(alpha.Cast(Enums.BandFormat.Uchar)).WriteToFile(rgba);
        var grey16 = _dir.File("grey16.png");
        using (var grey = Image.NewFromFile(RepoPaths.SharedImage("chelsea.png")).Colourspace(Enums.Interpretation.Grey16))
            grey.WriteToFile(grey16);
        var jpeg = _dir.File("frame.jpg");
        using (var image = Image.NewFromFile(RepoPaths.SharedImage("chelsea.png")).Crop(0, 0, 200, 150))
            image.WriteToFile(jpeg);
        string[] frames = [rgba, grey16, jpeg];

        await using var farm = await EmbeddedFarm.StartAsync(Settings(TestModels.NearestDirectory, conversion));
        var job = await RunAsync(farm, frames, new JobRequest { Options = new() { TileSize = 100, Halo = 4 } });

        AssertCompleted(job);
        Assert.Equal(3, job.FramesDone);
        var results = await farm.Client.DownloadResultsAsync(job.Id, f => _dir.File($"result-{f}.png"));
        for (var i = 0; i < frames.Length; i++)
        {
            var engine = ReferenceUpscale.Run(TestModels.NearestDirectory, NearestNeighbourModel.Id, frames[i], _dir.File($"engine-{i}.png"), 100, 4);
            Assert.True(engine.AsSpan().SequenceEqual(File.ReadAllBytes(results[i])), $"frame {i} differs from the engine's output");
        }
        using var rgbaResult = Image.NewFromFile(results[0]);
        Assert.Equal(4, rgbaResult.Bands);
        using var greyResult = Image.NewFromFile(results[1]);
        Assert.Equal((1, Enums.BandFormat.Ushort), (greyResult.Bands, greyResult.Format));
    }

    [Fact]
    public async Task Alpha_resampled_matches_the_engine()
    {
        var rgba = _dir.File("rgba.png");
        using (var rgb = Image.NewFromFile(RepoPaths.SharedImage("chelsea.png")))
            rgb.Bandjoin(Image.Xyz(rgb.Width, rgb.Height)[1].Cast(Enums.BandFormat.Uchar)).WriteToFile(rgba);
        await using var farm = await EmbeddedFarm.StartAsync(Settings(TestModels.NearestDirectory));
        var job = await RunAsync(farm, [rgba], new JobRequest { Options = new() { TileSize = 128, Halo = 8, Alpha = AlphaMode.Resample } });
        AssertCompleted(job);
        Assert.Equal(12, job.TilesTotal);
        var result = (await farm.Client.DownloadResultsAsync(job.Id, f => _dir.File($"result-{f}.png")))[0];
        var engine = ReferenceUpscale.Run(TestModels.NearestDirectory, NearestNeighbourModel.Id, rgba, _dir.File("engine.png"), 128, 8, AlphaMode.Resample);
        Assert.Equal(engine, File.ReadAllBytes(result));
    }

    [Fact]
    public async Task A_source_that_is_not_an_image_fails_the_job_with_its_reason()
    {
        var text = _dir.File("notes.png");
        await File.WriteAllTextAsync(text, "this is not a picture");
        await using var farm = await EmbeddedFarm.StartAsync(Settings(TestModels.NearestDirectory));
        var job = await RunAsync(farm, [text], new JobRequest());
        Assert.Equal(JobState.Failed, job.State);
        Assert.StartsWith("notes.png: not an image", job.Error); // named as submitted, not as stored
    }

    [Fact]
    public async Task A_source_over_the_pixel_limit_fails_before_decoding()
    {
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>(Settings(TestModels.NearestDirectory))
        {
            ["Farm:Limits:MaxInputPixels"] = "100000",
        });
        var job = await RunAsync(farm, [RepoPaths.SharedImage("chelsea.png")], new JobRequest());
        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("over the limit of 100000 pixels", job.Error);
    }

    internal static void AssertCompleted(JobRecord job) =>
        Assert.True(job.State == JobState.Completed, $"job {job.State}: {job.Error}");

    private static async Task<JobRecord> RunAsync(EmbeddedFarm farm, string[] files, JobRequest request)
    {
        var id = await farm.Client.SubmitAsync(files, request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await farm.Client.WaitAsync(id, cancellation: timeout.Token);
    }

    public void Dispose() => _dir.Dispose();
}
