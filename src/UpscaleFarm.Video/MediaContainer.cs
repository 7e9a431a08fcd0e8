namespace UpscaleFarm.Video;

/// <summary>
/// A video container the farm reads, known from the file's first bytes, never from its name: ffmpeg's
/// own probing would also take text formats (HLS and DASH playlists, ffconcat scripts, SDP) whose content
/// names other files or URLs for ffmpeg to open. Each container maps to the one demuxer passed as
/// <c>-f</c>, with the options that keep that demuxer from following references out of the file.
/// </summary>
/// <param name="Name">How the container is called in messages.</param>
/// <param name="Demuxer">ffmpeg's demuxer name for <c>-f</c>.</param>
/// <param name="DemuxerOptions">Input options for that demuxer, given before <c>-i</c>.</param>
public sealed record MediaContainer(string Name, string Demuxer, IReadOnlyList<string> DemuxerOptions)
{
    /// <summary>What a refused file is told: the containers there are, no word of what the file looked like.</summary>
    public const string Unsupported = "not a supported video container (MP4, MOV, Matroska, WebM or AVI)";

    /// <summary>
    /// ISO BMFF (MP4, MOV, M4V). External data references ("dref" alias atoms naming other files) are off by
    /// default in ffmpeg, and said so here so that no default change can turn them on; absolute alias paths too.
    /// </summary>
    public static readonly MediaContainer Mov = new("MP4 or MOV", "mov", ["-enable_drefs", "0", "-use_absolute_path", "0"]);

    /// <summary>Matroska and WebM: the demuxer has no option that opens another file (ffmpeg 5.1's -h demuxer=matroska lists none).</summary>
    public static readonly MediaContainer Matroska = new("Matroska or WebM", "matroska", []);

    /// <summary>AVI: its only option (use_odml, the OpenDML index) reads within the file.</summary>
    public static readonly MediaContainer Avi = new("AVI", "avi", []);

    /// <summary>
    /// The arguments that open <paramref name="path"/> as this container and nothing else: the file protocol
    /// only (no http, no nested protocols such as concat: or subfile:), this demuxer only (no nested demuxer
    /// opened from inside it), its reference-following options off, and the path given as a file: URL so
    /// that no part of a name is read as a protocol.
    /// </summary>
    public IReadOnlyList<string> InputArguments(string path) =>
        ["-protocol_whitelist", "file", "-format_whitelist", Demuxer, "-f", Demuxer, .. DemuxerOptions, "-i", "file:" + Path.GetFullPath(path)];

    /// <summary>Leading ISO BMFF boxes a playable file may start with (QuickTime files need not start with ftyp).</summary>
    private static readonly string[] IsoBoxes = ["ftyp", "moov", "mdat", "free", "wide", "skip"];

    /// <summary>As many bytes as the longest signature needs.</summary>
    private const int SniffLength = 12;

    /// <summary>The container of the file at <paramref name="path"/>; a <see cref="VideoException"/> for anything else, before any process runs.</summary>
    public static MediaContainer Sniff(string path)
    {
        var head = new byte[SniffLength];
        int read;
        try
        {
            using var file = File.OpenRead(path);
            read = file.ReadAtLeast(head, SniffLength, throwOnEndOfStream: false);
        }
        catch (IOException e)
        {
            throw new VideoException("the video could not be read", e.Message);
        }
        return Sniff(head.AsSpan(0, read)) ?? throw new VideoException(Unsupported);
    }

    /// <summary>The container these first bytes start, or null: text, images and unknown bytes are none.</summary>
    public static MediaContainer? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && head[..4].SequenceEqual((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
            return Matroska;
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("AVI "u8))
            return Avi;
        if (head.Length >= 8)
        {
            // A box starts with its 32-bit big-endian size; a plausible one is 8 or more, or 1 (a 64-bit size follows) or 0 (to the end).
            var size = (uint)(head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3]);
            var type = System.Text.Encoding.ASCII.GetString(head[4..8]);
            if ((size >= 8 || size is 0 or 1) && IsoBoxes.Contains(type, StringComparer.Ordinal))
                return Mov;
        }
        return null;
    }
}
