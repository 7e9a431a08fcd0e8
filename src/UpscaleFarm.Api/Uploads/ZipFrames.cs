using System.IO.Compression;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// A .zip of frames: its image entries, in name order, become frames. Entry names are only labels (keys
/// are the server's), yet a name pointing outside the archive (zip-slip) refuses the whole upload, as
/// does a zip bomb: the declared sizes are checked first, then the bytes actually inflated, since a
/// header can lie.
/// </summary>
public static class ZipFrames
{
    public static bool IsZip(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(magic) == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] is 3 or 5 && magic[3] is 4 or 6;
    }

    /// <param name="inflated">The job's budget of uncompressed bytes, shared by all its zips and spent as entries inflate.</param>
    public static async Task ExpandAsync(string zipPath, TenantOptions limits, ByteBudget inflated, Func<string, string> scratchPath,
        Func<string, string, Task> addFrame, CancellationToken cancellation)
    {
        using var archive = Open(zipPath);
        var files = archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToList();
        if (files.FirstOrDefault(e => PointsOutside(e.FullName)) is { } unsafeEntry)
            throw UploadRejectedException.Unprocessable($"zip entry '{unsafeEntry.FullName}' points outside the archive (zip-slip)");
        var images = files.Where(e => ImageFormats.HasImageExtension(e.Name) && !IsMetadata(e.FullName))
            .OrderBy(e => e.FullName, StringComparer.Ordinal).ToList();
        if (images.Count == 0)
            throw UploadRejectedException.Unprocessable("the zip holds no PNG, JPEG, WebP or TIFF files");
        if (images.Count > limits.MaxFrames)
            throw UploadRejectedException.TooLarge($"the zip holds {images.Count} images; a job may have at most {limits.MaxFrames} frames");
        var declared = images.Sum(e => e.Length);
        if (declared > limits.MaxUnzippedBytes)
            throw UploadRejectedException.TooLarge($"the zip declares {declared} bytes uncompressed, over this tenant's limit of {limits.MaxUnzippedBytes} bytes");
        foreach (var entry in images)
        {
            var path = scratchPath(Path.GetExtension(entry.Name));
            try
            {
                try
                {
                    await using var content = await entry.OpenAsync(cancellation);
                    await using var file = File.Create(path);
                    await inflated.CopyAsync(content, file, cancellation);
                }
                catch (InvalidDataException)
                {
                    throw UploadRejectedException.Unprocessable($"zip entry '{entry.FullName}' is corrupt");
                }
                await addFrame(entry.Name, path);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    private static ZipArchive Open(string path)
    {
        try
        {
            return new ZipArchive(File.OpenRead(path), ZipArchiveMode.Read);
        }
        catch (InvalidDataException)
        {
            throw UploadRejectedException.Unprocessable("not a readable zip (its directory is missing or damaged)");
        }
    }

    private static bool PointsOutside(string name)
    {
        var normalized = name.Replace('\\', '/');
        return normalized.StartsWith('/') || (normalized.Length > 1 && normalized[1] == ':') || normalized.Split('/').Contains("..");
    }

    // Finder and editor droppings that ride along in zips made on desktops.
    private static bool IsMetadata(string name) => name.StartsWith("__MACOSX/", StringComparison.Ordinal) || Path.GetFileName(name).StartsWith('.');
}
