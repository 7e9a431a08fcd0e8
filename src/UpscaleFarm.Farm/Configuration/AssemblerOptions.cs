namespace UpscaleFarm.Farm.Configuration;

public sealed class AssemblerOptions
{
    /// <summary>Frames assembled at once; each holds one strip (output width × tile height) in memory.</summary>
    public int ConcurrentFrames { get; set; } = 1;

    /// <summary>Tile downloads in flight while a strip is filled.</summary>
    public int ParallelDownloads { get; set; } = 4;

    /// <summary>PNG zlib level of the results (0–9).</summary>
    public int PngCompression { get; set; } = 3;
}
