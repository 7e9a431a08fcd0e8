using NetVips;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Synthetic;
using UpscaleFarm.Testing;
using Xunit.Abstractions;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The assembler's memory per frame is bounded whatever the frame's shape (a very wide result keeps its strips in scratch
/// files), and a frame whose writing fails the same way again and again fails its job instead of being written for ever.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class AssemblerBoundsTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>
    /// 16 000 × 512 pixels in two rows of tiles of 256, ×4: each row of tiles of the result is 64 000 × 1 024 × 3 bytes
    /// (197 MB), and the progressive writer held two such strips (393 MB) in memory; now they are scratch files. What stays
    /// in memory is the encoder's few hundred rows (libvips: 2 × 256 rows of 192 KB, 98 MB) and the tiles in flight (3 MB
    /// each at ×4, in the worker, the model's buffers and the assembler's downloads). Ceiling: 300 MB of peak resident
    /// memory for the whole embedded farm.
    /// </summary>
    [Fact]
    public async Task A_very_wide_frame_is_assembled_in_bounded_memory()
    {
        var source = _dir.File("wide.png");
        VipsSetup.EnsureConfigured();
        using (var x = Image.Xyz(16_000, 512))
        using (var gradient = (x[0] + x[1] * 7) % 256)
        using (var bands = gradient.Bandjoin(gradient * 3 % 256, gradient * 5 % 256).Cast(Enums.BandFormat.Uchar))
            bands.Pngsave(source);

        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = TestModels.NearestDirectory,
            ["Farm:Assembler:StripMemoryBytes"] = (32 << 20).ToString(),
        });
        var before = ResidentBytes(out _);
        ResetPeak();
        var id = await farm.Client.SubmitAsync([source], new JobRequest { Options = new() { TileSize = 256 } });
        var job = await farm.Client.WaitAsync(id, cancellation: new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
        ResidentBytes(out var peak);

        EmbeddedFarmTests.AssertCompleted(job);
        output.WriteLine($"peak resident memory grew by {(peak - before) >> 20} MB");
        Assert.True(peak - before < 300L << 20, $"peak resident memory grew by {(peak - before) >> 20} MB");
        var result = (await farm.Client.DownloadResultsAsync(id, _ => _dir.File("wide-x4.png")))[0];
        using var image = Image.NewFromFile(result);
        Assert.Equal((64_000, 2_048), (image.Width, image.Height));
        // A band across every tile, where the two rows of tiles meet.
        using var expected = Image.NewFromFile(source).Resize(4, Enums.Kernel.Nearest);
        Assert.Equal(0, (expected.Crop(0, 1000, 64_000, 48) - image.Crop(0, 1000, 64_000, 48)).Abs().Max());
    }

    /// <summary>
    /// A catalogue that says ×2 for a model that upscales ×4: every tile comes back twice the planned size, so every write
    /// of the frame fails the same way. The job fails, naming the frame, within a bound (writes are retried 3 times).
    /// </summary>
    [Fact]
    public async Task A_frame_that_fails_to_be_written_the_same_way_again_fails_its_job()
    {
        var models = NearestNeighbourModel.WriteCatalog(_dir.File("models"));
        var manifest = ModelManifest.Read(Path.Combine(models, ModelCatalog.ManifestName));
        new ModelManifest { Models = manifest.Models.Select(m => m with { Scale = 2 }).ToList() }.Write(Path.Combine(models, ModelCatalog.ManifestName));
        await using var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("farm"),
            ["Farm:ModelsDirectory"] = models,
        });
        var id = await farm.Client.SubmitAsync([UpscaleFarm.Testing.RepoPaths.SharedImage("chelsea.png")], new JobRequest { Options = new() { TileSize = 64 } });
        var job = await farm.Client.WaitAsync(id, cancellation: new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);

        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("frame 0", job.Error);
        Assert.DoesNotContain("Exception", job.Error);
    }

    /// <summary>This process's resident memory now, and its peak since <see cref="ResetPeak"/>.</summary>
    private static long ResidentBytes(out long peak)
    {
        long Field(string name) => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(name + ":"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        peak = Field("VmHWM");
        return Field("VmRSS");
    }

    /// <summary>Starts the peak resident memory (VmHWM) afresh from the current resident memory (Linux's clear_refs, 5).</summary>
    private static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    public void Dispose() => _dir.Dispose();
}
