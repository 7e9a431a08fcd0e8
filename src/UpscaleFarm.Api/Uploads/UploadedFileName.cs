using System.Globalization;
using System.Text;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// What a client calls a file (a multipart part's file name, a zip entry's name) reduced to a base name that is safe
/// wherever the farm shows or uses it again: in messages, in Content-Disposition, and as an entry of a result zip that
/// the client extracts. Both '/' and '\' end a folder (Windows clients, and zips made there, use '\'); control, format
/// (bidi overrides, zero-width) and line-separator characters are dropped, the characters Windows refuses in a name
/// become '_', and what is left of "." or ".." (or nothing) is no name.
/// </summary>
public static class UploadedFileName
{
    /// <summary>Characters kept at most: longer names are cut, keeping their extension.</summary>
    public const int MaxLength = 200;

    public static string Of(string? name, string fallback = "upload")
    {
        var baseName = (name ?? "")[((name ?? "").LastIndexOfAny(['/', '\\']) + 1)..];
        var kept = new StringBuilder(baseName.Length);
        foreach (var rune in baseName.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate)
                continue;
            kept.Append(rune.IsAscii && "<>:\"|?*".Contains((char)rune.Value) ? "_" : rune.ToString());
        }
        // Windows drops trailing dots and spaces when it writes a file: what it would make of the name is the name.
        var safe = kept.ToString().Trim().TrimEnd('.');
        if (safe.Length == 0 || safe is "." or "..")
            return fallback;
        if (safe.Length > MaxLength)
        {
            var extension = Path.GetExtension(safe);
            extension = extension.Length <= 16 ? extension : "";
            safe = string.Concat(safe.AsSpan(0, MaxLength - extension.Length), extension);
        }
        return safe;
    }
}
