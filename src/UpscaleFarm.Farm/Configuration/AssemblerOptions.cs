namespace UpscaleFarm.Farm.Configuration;

public sealed class AssemblerOptions
{
    /// <summary>
    /// Frames written progressively at once, and, besides them, frames assembled whole from FrameReady at once (those no
    /// progressive writer took). A progressive frame holds <see cref="StripBuffers"/> strips (output width × tile height)
    /// per plane in memory, a whole one a single strip.
    /// </summary>
    public int ConcurrentFrames { get; set; } = 1;

    /// <summary>Tile downloads in flight while a strip is filled.</summary>
    public int ParallelDownloads { get; set; } = 4;

    /// <summary>PNG zlib level of the results (0–9).</summary>
    public int PngCompression { get; set; } = 3;

    /// <summary>
    /// Write each frame's result row of tiles by row as its tiles finish (<see cref="Assembler.FrameWriterService"/>), so
    /// that after the last tile only the last row and the file's end remain. False: a frame is assembled whole once its
    /// last tile is done (FrameReady), as before; kept to measure one against the other.
    /// </summary>
    public bool Progressive { get; set; } = true;

    /// <summary>
    /// How long a frame stays leased to the assembler writing it without a renewal (renewed every third of it): an
    /// assembler that dies mid-frame delays that frame by at most this, then another writes it again from its first row.
    /// </summary>
    public int WriterLeaseSeconds { get; set; } = 30;

    /// <summary>
    /// How often a progressive writer looks for a frame to write and, while writing, for its next row's tiles, when no
    /// tile counted in this process wakes it sooner (tiles counted by another assembler replica wake nothing here).
    /// </summary>
    public int WriterPollMs { get; set; } = 500;

    /// <summary>
    /// Strips per plane a progressive writer holds: one filled from the tiles while the encoder reads the one before.
    /// Each is output width × tile height × bands; at least 1.
    /// </summary>
    public int StripBuffers { get; set; } = 2;

    /// <summary>
    /// Memory one frame's strips may take (all its strip buffers, both planes). A frame whose strips would take more (a very
    /// wide result: strips grow with the output's width) keeps them in scratch files instead, written and read in place, so
    /// the assembler's memory stays bounded whatever the frame's shape; the page cache then does the buffering.
    /// </summary>
    public long StripMemoryBytes { get; set; } = 512L << 20;

    /// <summary>TileCompleted reports counted in one job-store transaction, at most (<see cref="Assembler.TileCompletedConsumerDefinition"/>).</summary>
    public int CompletionBatchSize { get; set; } = 100;

    /// <summary>How long a batch of TileCompleted reports waits after its first for more, at most.</summary>
    public int CompletionBatchMs { get; set; } = 10;
}
