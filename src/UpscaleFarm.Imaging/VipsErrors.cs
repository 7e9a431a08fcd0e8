using NetVips;

namespace UpscaleFarm.Imaging;

/// <summary>The useful part of a libvips error for a one-line message.</summary>
public static class VipsErrors
{
    /// <summary>
    /// libvips puts its own header first ("unable to call VipsForeignLoadPng...") and the cause last,
    /// so the last non-empty line is the one that explains the failure.
    /// </summary>
    public static string Cause(VipsException e) =>
        e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? e.Message;
}
