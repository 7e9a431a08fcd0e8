using UpscaleFarm.Imaging;

namespace UpscaleFarm.Cli.Commands;

/// <summary>Expands the command's inputs (files and directories) into jobs with output paths.</summary>
public static class UpscaleJobs
{
    public static IReadOnlyList<UpscaleJob> Plan(string[] inputs, string output, string? format)
    {
        ImageFormat? requested = format is null ? null : ImageFormats.TryParse(format, out var f) ? f : null;
        var files = new List<(string Path, string? Error)>();
        var anyDirectory = false;
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                anyDirectory = true;
                files.AddRange(Directory.EnumerateFiles(input).Where(ImageFormats.HasImageExtension).Order(StringComparer.Ordinal).Select(p => (p, (string?)null)));
            }
            else
            {
                files.Add((input, File.Exists(input) ? null : $"{input}: no such file or directory"));
            }
        }
        if (files.Count == 0)
            throw new ArgumentException("no images found in the inputs");

        var toDirectory = files.Count > 1 || anyDirectory || Directory.Exists(output) || output.EndsWith('/');
        if (!toDirectory && requested is null && ImageFormats.TryParse(Path.GetExtension(output), out var fromName))
            requested = fromName;

        return files.Select(file =>
        {
            var fileFormat = requested ?? (ImageFormats.TryParse(Path.GetExtension(file.Path), out var own) ? own : ImageFormat.Png);
            var target = toDirectory
                ? Path.Combine(output, Path.GetFileNameWithoutExtension(file.Path) + ImageFormats.Extension(fileFormat))
                : output;
            return new UpscaleJob(file.Path, target, fileFormat, file.Error);
        }).ToList();
    }
}
