using System.IO.Compression;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// A .zip of frames: its image entries, in name order, become frames. Entry names are only labels (keys
/// are the server's, names are reduced to safe base names), yet a name pointing outside the archive (zip-slip)
/// refuses the whole upload, as does a zip bomb: the directory is counted as it is read from the file
/// (<see cref="ZipDirectory"/>: entries, images and their declared sizes) before the archive is opened, and the
/// caller counts the bytes actually inflated, since a header can lie.
/// </summary>
public static class ZipFrames
{
    public static bool IsZip(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(magic) == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] is 3 or 5 && magic[3] is 4 or 6;
    }

    /// <param name="addFrame">Takes each image entry's name (a safe base name) and its content as it inflates.</param>
    public static async Task ExpandAsync(string zipPath, TenantOptions limits, Func<string, Stream, Task> addFrame, CancellationToken cancellation)
    {
        // Counted from the file first: the archive below holds every entry of its directory in memory.
        ZipDirectory.Scan(zipPath, MaxEntries(limits), limits.MaxFrames, limits.MaxUnzippedBytes, name => !name.EndsWith('/') && IsImage(name));
        using var archive = Open(zipPath);
        var files = archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToList();
        if (files.FirstOrDefault(e => PointsOutside(e.FullName)) is { } unsafeEntry)
            throw UploadRejectedException.Unprocessable($"zip entry '{unsafeEntry.FullName}' points outside the archive (zip-slip)");
        var images = files.Where(e => IsImage(e.FullName))
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
            try
            {
                await using var content = await entry.OpenAsync(cancellation);
                await addFrame(UploadedFileName.Of(entry.FullName), content);
            }
            catch (InvalidDataException)
            {
                throw UploadRejectedException.Unprocessable($"zip entry '{UploadedFileName.Of(entry.FullName)}' is corrupt");
            }
        }
    }

    /// <summary>
    /// Entries of any kind a zip may hold: each frame may bring a hidden twin (macOS's __MACOSX/._name), and a thousand
    /// folders and other files besides. At the default 10 000 frames that is 21 000 entries, about 10 MB of directory.
    /// </summary>
    public static long MaxEntries(TenantOptions limits) => 2L * limits.MaxFrames + 1000;

    private static bool IsImage(string fullName) => ImageFormats.HasImageExtension(UploadedFileName.Of(fullName)) && !IsMetadata(fullName);

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
    private static bool IsMetadata(string name) => name.Replace('\\', '/').StartsWith("__MACOSX/", StringComparison.Ordinal) || UploadedFileName.Of(name).StartsWith('.');
}
