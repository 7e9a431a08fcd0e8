using NetVips;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Cli.Tests;

/// <summary>
/// Every bad input gets one line on stderr, a non-zero exit, no stack trace and no output file
/// (not even a temporary one) — through the real CLI process.
/// </summary>
[Collection(ModelsCollection.Name)]
public sealed class BadInputTests(ModelsFixture models) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string OutputDirectory => Directory.CreateDirectory(_dir.File("out")).FullName;

    private static void AssertOneLineError(CliRunner.Result result, string expectedFragment)
    {
        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("upscalefarm: error: ", line);
        Assert.Contains(expectedFragment, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
    }

    private CliRunner.Result UpscaleInto(string input, params string[] extra) =>
        CliRunner.Run(["upscale", input, "-o", Path.Combine(OutputDirectory, "result.png"), .. extra]);

    private void AssertNoOutput() => Assert.Empty(Directory.EnumerateFileSystemEntries(OutputDirectory));

    [Theory]
    [InlineData("--tile", "1", "--tile: must be 0")]
    [InlineData("--tile", "100000", "--tile: must be 0")]
    [InlineData("--halo", "500", "--halo: must be 0 to")]
    [InlineData("--scale", "1000", "--scale: must be a number above 0")]
    [InlineData("--scale", "NaN", "--scale: must be a number above 0")]
    [InlineData("--quality", "500", "--quality: must be 1 to 100")]
    public void Out_of_range_options_are_one_line_naming_the_option(string option, string value, string expected)
    {
        AssertOneLineError(UpscaleInto(RepoPaths.SharedImage("chelsea.png"), option, value), expected);
        AssertNoOutput();
    }

    [Fact]
    public void Truncated_jpeg()
    {
        AssertOneLineError(UpscaleInto(RepoPaths.SharedImage("truncated.jpg")), "truncated.jpg");
        AssertNoOutput();
    }

    [Fact]
    public void Png_with_corrupt_image_data()
    {
        var bytes = File.ReadAllBytes(RepoPaths.SharedImage("chelsea.png"));
        new Random(7).NextBytes(bytes.AsSpan(bytes.Length / 2, 4096));
        File.WriteAllBytes(_dir.File("corrupt.png"), bytes);
        AssertOneLineError(UpscaleInto(_dir.File("corrupt.png")), "corrupt.png");
        AssertNoOutput();
    }

    [Fact]
    public void Png_cut_in_half()
    {
        var bytes = File.ReadAllBytes(RepoPaths.SharedImage("chelsea.png"));
        File.WriteAllBytes(_dir.File("half.png"), bytes[..(bytes.Length / 2)]);
        AssertOneLineError(UpscaleInto(_dir.File("half.png")), "half.png");
        AssertNoOutput();
    }

    [Fact]
    public void Not_an_image()
    {
        File.WriteAllText(_dir.File("notes.png"), "these are not pixels\n");
        AssertOneLineError(UpscaleInto(_dir.File("notes.png")), "not an image");
        AssertNoOutput();
    }

    [Fact]
    public void Empty_file()
    {
        File.WriteAllBytes(_dir.File("empty.png"), []);
        AssertOneLineError(UpscaleInto(_dir.File("empty.png")), "empty");
        AssertNoOutput();
    }

    [Fact]
    public void Unsupported_format()
    {
        using (var image = Image.NewFromFile(RepoPaths.SharedImage("palette_color.png")))
            image.Gifsave(_dir.File("anim.gif"));
        AssertOneLineError(UpscaleInto(_dir.File("anim.gif")), "unsupported format (gif)");
        AssertNoOutput();
    }

    [Fact]
    public void Header_declaring_more_pixels_than_the_limit_is_refused_before_decoding()
    {
        // 60000 × 60000 = 3.6 GP declared in a file of a few hundred bytes.
        File.WriteAllBytes(_dir.File("bomb.png"), CraftedFiles.PngDeclaring(60_000, 60_000));
        AssertOneLineError(UpscaleInto(_dir.File("bomb.png")), "over the limit");
        AssertNoOutput();
    }

    [Fact]
    public void Pixel_limit_is_configurable()
    {
        AssertOneLineError(UpscaleInto(RepoPaths.SharedImage("chelsea.png"), "--max-pixels", "100000"), "135300 pixels is over the limit of 100000");
        AssertNoOutput();
    }

    [Fact]
    public void File_size_limit_is_configurable()
    {
        AssertOneLineError(UpscaleInto(RepoPaths.SharedImage("chelsea.png"), "--max-bytes", "1000"), "240512 bytes is over the limit of 1000 bytes");
        AssertNoOutput();
    }

    [Fact]
    public void Output_path_that_cannot_be_written()
    {
        File.WriteAllText(_dir.File("a-file"), "");
        var result = CliRunner.Run("upscale", RepoPaths.SharedImage("palette_color.png"), "-o", Path.Combine(_dir.File("a-file"), "out.png"));
        AssertOneLineError(result, "cannot write");
    }

    [Fact]
    public void Unknown_model()
    {
        var result = CliRunner.Run("upscale", RepoPaths.SharedImage("palette_color.png"), "-o", Path.Combine(OutputDirectory, "x.png"), "--model", "no-such-model");
        AssertOneLineError(result, "unknown model 'no-such-model'");
        AssertNoOutput();
    }

    [Fact]
    public void Model_the_converter_cannot_handle()
    {
        File.WriteAllText(_dir.File("odd.param"), "7767517\n3 3\nInput input 0 1 data\nConvolution conv0 1 1 data c0 0=3 1=1 5=0 6=9\nSoftmax softmax0 1 1 c0 out 0=0\n");
        File.WriteAllBytes(_dir.File("odd.bin"), new byte[4 + 9 * 4]);
        var result = CliRunner.RunWith(models.Catalog.Directory, "models", "import", _dir.File("odd.param"), "--id", "odd");
        AssertOneLineError(result, "layer 'softmax0' (Softmax)");
        Assert.False(File.Exists(Path.Combine(models.Catalog.Directory, "imported", "odd.onnx")));
    }
}
