namespace UpscaleFarm.Farm.Housekeeping;

/// <summary>
/// The scratch disk is full: a write there failed (libvips says only "unable to write to target") and the
/// disk has next to no room left. It carries ENOSPC's errno, as .NET's own disk-full IOException does, so
/// the step waits it out like an unavailable dependency (TransientFailures) instead of failing its job.
/// </summary>
public sealed class ScratchFullException : IOException
{
    // Below this much free space a failed write is taken for a full disk rather than a fault of the image.
    private const long NearlyFull = 64L << 20;
    private const int DiskFull = 28; // ENOSPC

    private ScratchFullException(string directory, Exception inner)
        : base($"the scratch disk ({directory}) is full", inner) => HResult = DiskFull;

    /// <summary>
    /// <paramref name="failure"/> as a full scratch disk when the library reported the system's ENOSPC or EDQUOT
    /// (libvips adds "system error: No space left on device" to its message), or when <paramref name="directory"/>'s
    /// disk is (nearly) full now; else <paramref name="failure"/> itself. (libvips removes its partial file when a
    /// write fails, so the free space alone can look fine again by the time anyone asks.)
    /// </summary>
    public static Exception When(string directory, Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
            if (e.Message.Contains("No space left on device", StringComparison.Ordinal) || e.Message.Contains("Disk quota exceeded", StringComparison.Ordinal))
                return new ScratchFullException(directory, failure);
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace < NearlyFull ? new ScratchFullException(directory, failure) : failure;
        }
        catch (IOException)
        {
            return failure;
        }
    }
}
