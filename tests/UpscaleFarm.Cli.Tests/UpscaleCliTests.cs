using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Setup;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Cli.Tests;

/// <summary>The CLI as a user runs it: directories in, summaries out, user models imported.</summary>
[Collection(ModelsCollection.Name)]
public sealed class UpscaleCliTests(ModelsFixture models) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_directory_of_images_is_upscaled_into_an_output_directory_with_a_summary()
    {
        var input = Directory.CreateDirectory(_dir.File("in")).FullName;
        TestImages.Crop("chelsea.png", 0, 0, 32, 24, Path.Combine(input, "a.png"));
        TestImages.Crop("rocket.jpg", 0, 0, 20, 16, Path.Combine(input, "b.jpg"));
        File.WriteAllText(Path.Combine(input, "readme.txt"), "not an image, skipped by extension");

        var result = CliRunner.Run("upscale", input, "-o", _dir.File("out"), "--format", "webp", "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var a = TestImages.Load(_dir.File("out/a.webp"));
        using var b = TestImages.Load(_dir.File("out/b.webp"));
        Assert.Equal((128, 96), (a.Width, a.Height));
        Assert.Equal((80, 64), (b.Width, b.Height));
        Assert.Contains("2 upscaled, 0 failed; model general-x4v3 on Cpu", result.Stdout);
    }

    [Fact]
    public void The_cli_runs_through_the_embedded_farm_and_writes_the_engines_bytes()
    {
        // RGBA with several tiles and an alpha plane through the model: every path of the farm's assembly.
        var input = TestImages.Crop("logo.png", 180, 180, 80, 60, _dir.File("logo.png"));
        new ImageUpscaler(models.Session("general-x4v3"), new UpscaleSettings { TileSize = 32, Halo = 8 })
            .Upscale(input, _dir.File("engine.png"), new EncodeOptions(ImageFormat.Png));

        var result = CliRunner.Run("upscale", input, "-o", _dir.File("cli.png"), "--tile", "32", "--halo", "8", "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("cli.png: 80x60 -> 320x240, 12 tiles", result.Stdout); // 6 colour + 6 alpha tiles
        Assert.Equal(File.ReadAllBytes(_dir.File("engine.png")), File.ReadAllBytes(_dir.File("cli.png")));
        Assert.Equal(["cli.png", "engine.png", "logo.png"], Directory.EnumerateFileSystemEntries(_dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_failing_file_does_not_stop_the_others_but_fails_the_exit_code()
    {
        var good = TestImages.Crop("chelsea.png", 0, 0, 16, 16, _dir.File("good.png"));
        var result = CliRunner.Run("upscale", good, RepoPaths.SharedImage("truncated.jpg"), "-o", _dir.File("out"));
        Assert.Equal(1, result.ExitCode);
        Assert.True(File.Exists(_dir.File("out/good.png")));
        Assert.False(File.Exists(_dir.File("out/truncated.jpg")));
        Assert.Contains("1 upscaled, 1 failed", result.Stdout);
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public void Ncnn_and_onnx_user_models_are_imported_listed_and_used()
    {
        // A private models directory, so the repository's own catalog stays untouched.
        var modelsDir = Directory.CreateDirectory(_dir.File("models")).FullName;
        File.Copy(Path.Combine(models.Catalog.Directory, ModelCatalog.ManifestName), Path.Combine(modelsDir, ModelCatalog.ManifestName));
        var (param, _) = BuiltInModels.SourceFiles(models.Catalog, models.Catalog.Find("general-x4v3"), TextWriter.Null);
        var onnx = models.Catalog.OnnxPath(models.Catalog.Find("general-x4v3"));
        Directory.CreateDirectory(Path.Combine(modelsDir, "onnx"));
        File.Copy(onnx, Path.Combine(modelsDir, "onnx", Path.GetFileName(onnx)));

        var fromNcnn = CliRunner.RunWith(modelsDir, "models", "import", param, "--id", "my-fast");
        var fromOnnx = CliRunner.RunWith(modelsDir, "models", "import", onnx, "--id", "my-onnx");
        var list = CliRunner.RunWith(modelsDir, "models", "list");

        Assert.True(fromNcnn.ExitCode == 0, fromNcnn.Stderr);
        Assert.Contains("imported my-fast: x4", fromNcnn.Stdout);
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.Stderr);
        Assert.Contains("imported my-onnx: x4", fromOnnx.Stdout);
        Assert.Contains("my-fast", list.Stdout);
        Assert.Contains("my-onnx", list.Stdout);

        // All three routes to the same weights give the same pixels.
        var input = TestImages.Crop("chelsea.png", 0, 0, 16, 12, _dir.File("tiny.png"));
        foreach (var id in new[] { "general-x4v3", "my-fast", "my-onnx" })
        {
            var upscale = CliRunner.RunWith(modelsDir, "upscale", input, "-o", _dir.File($"{id}.png"), "--model", id);
            Assert.True(upscale.ExitCode == 0, upscale.Stderr);
        }
        using var builtIn = TestImages.Load(_dir.File("general-x4v3.png"));
        Assert.Equal((64, 48), (builtIn.Width, builtIn.Height));
        Assert.True(double.IsPositiveInfinity(ImageComparison.Compare(_dir.File("general-x4v3.png"), _dir.File("my-fast.png")).Psnr));
        Assert.True(double.IsPositiveInfinity(ImageComparison.Compare(_dir.File("general-x4v3.png"), _dir.File("my-onnx.png")).Psnr));
    }
}
