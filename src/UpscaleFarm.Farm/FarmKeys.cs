namespace UpscaleFarm.Farm;

/// <summary>
/// Object keys of a job, all under its tenant's prefix: tenants/{tenant}/jobs/{job}/…
/// Tile keys depend only on (job, frame, pack), a pack (<see cref="Packing.TilePack"/>) named by its first tile, so a
/// redelivered pack overwrites itself with the same bytes.
/// </summary>
public static class FarmKeys
{
    public static string Job(string tenant, Guid jobId) => $"tenants/{tenant}/jobs/{jobId:N}";

    public static string Source(string tenant, Guid jobId, int frame, string extension) =>
        $"{Job(tenant, jobId)}/source/frame-{frame:D6}{extension}";

    public static string TileInput(string tenant, Guid jobId, int frame, int pack) =>
        $"{TilesOfFrame(tenant, jobId, frame)}{Spread(pack)}/{pack:D6}.in";

    public static string TileOutput(string tenant, Guid jobId, int frame, int pack) =>
        $"{TilesOfFrame(tenant, jobId, frame)}{Spread(pack)}/{pack:D6}.out";

    public static string TilesOfFrame(string tenant, Guid jobId, int frame) => $"{Job(tenant, jobId)}/tiles/frame-{frame:D6}/";

    /// <summary>A video job's source file, kept for its audio, subtitles and timing.</summary>
    public static string VideoSource(string tenant, Guid jobId, string extension) => $"{Job(tenant, jobId)}/video/source{extension}";

    /// <summary>A video job's frame timestamps (seconds, one per line) and duration (first line).</summary>
    public static string VideoTimes(string tenant, Guid jobId) => $"{Job(tenant, jobId)}/video/frames.txt";

    public static string VideoResult(string tenant, Guid jobId, string extension) => $"{Job(tenant, jobId)}/result/video{extension}";

    /// <summary>A frame result's Deep Zoom pyramid (image.dzi and image_files/…), made when first viewed.</summary>
    public static string DeepZoom(string tenant, Guid jobId, int frame) => $"{Job(tenant, jobId)}/dzi/frame-{frame:D6}/";

    /// <summary>
    /// An ICC profile the job's frames carry to their results, named by its SHA-256: stored once per distinct profile
    /// (a frame set's frames usually share one), not in each frame's row.
    /// </summary>
    public static string IccProfile(string tenant, Guid jobId, byte[] profile) =>
        $"{Job(tenant, jobId)}/icc/{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(profile))}.icc";

    public static string Result(string tenant, Guid jobId, int frame, string extension) =>
        $"{Job(tenant, jobId)}/result/frame-{frame:D6}{extension}";

    /// <summary>
    /// Two hex digits hashed from the pack's number, ahead of it in its keys. Packs are written and read in order, so
    /// plain numbered keys would put a frame's whole request rate on one narrow, moving key range; S3 splits its request
    /// capacity (about 3 500 writes and 5 500 reads a second each, docs/scaling.md) by key prefix, and these 256 prefixes
    /// share a big frame's load evenly from the start.
    /// </summary>
    private static string Spread(int pack) => ((uint)pack * 2654435761u >> 24).ToString("x2");
}
