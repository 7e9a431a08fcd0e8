using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Housekeeping;

/// <summary>
/// Removes what a crashed process left in the scratch directory: upload and source copies, strip files,
/// video work folders. Every entry of a live step is written to or made within hours, so anything whose
/// newest write is older than Farm:ScratchMaxAge (6 h) belongs to no one. Runs at start and every hour.
/// </summary>
public sealed class ScratchSweeper(IOptions<FarmOptions> options, ILogger<ScratchSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (Sweep(options.Value.ScratchDirectory, DateTime.UtcNow - options.Value.ScratchMaxAge) is > 0 and var removed)
                    logger.LogInformation("Removed {Count} abandoned scratch entries", removed);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(e, "Scratch sweep failed; it runs again in an hour");
            }
            await Task.Delay(TimeSpan.FromHours(1), stopping);
        }
    }

    /// <summary>Deletes the entries of <paramref name="directory"/> (files, and folders by their newest file) last written before <paramref name="before"/>.</summary>
    /// <returns>How many top-level entries were removed.</returns>
    public static int Sweep(string directory, DateTime before)
    {
        if (!Directory.Exists(directory))
            return 0;
        var removed = 0;
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).OrderByDescending(e => e.FullName.Length))
        {
            try
            {
                if (entry is FileInfo file && file.LastWriteTimeUtc < before)
                {
                    file.Delete();
                    removed++;
                }
                else if (entry is DirectoryInfo folder && folder.LastWriteTimeUtc < before && !folder.EnumerateFileSystemInfos().Any())
                {
                    folder.Delete();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Deleted or held by its owner meanwhile: it is not abandoned.
            }
        }
        return removed;
    }
}
