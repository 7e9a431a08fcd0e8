using NetVipsLib = NetVips.NetVips;

namespace UpscaleFarm.Imaging;

/// <summary>One-time libvips configuration for untrusted input.</summary>
public static class VipsSetup
{
    private static int _done;

    /// <summary>
    /// Blocks the loaders libvips marks untrusted (not fuzzed: e.g. ImageMagick, PDF, SVG, FITS), and keeps
    /// the operation cache small: every image here is read once, so caching only costs memory.
    /// </summary>
    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
            return;
        NetVipsLib.BlockUntrusted = true;
        NetVips.Cache.Max = 0;
        NetVips.Cache.MaxMem = 0;
        NetVips.Cache.MaxFiles = 0;
        // libvips reports decode problems as exceptions here; its log lines would only repeat them on stderr.
        NetVips.Log.SetLogHandler("VIPS", NetVips.Enums.LogLevelFlags.Warning | NetVips.Enums.LogLevelFlags.Message | NetVips.Enums.LogLevelFlags.Info, (_, _, _) => { });
    }
}
