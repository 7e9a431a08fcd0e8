namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// A frame row: its source, and once planned, what the assembler needs to rebuild it from tiles
/// (sizes, sample format, planes, the key of its ICC profile), plus its tile counters.
/// </summary>
public sealed class FrameRecord
{
    public Guid JobId { get; init; }
    public int Frame { get; init; }
    public string SourceKey { get; init; } = "";
    /// <summary>The source's file name as submitted: what messages and downloads call the frame.</summary>
    public string Name { get; init; } = "";
    public FrameState State { get; init; } = FrameState.Pending;
    public int Width { get; init; }
    public int Height { get; init; }
    public int Scale { get; init; }
    public bool IsGray { get; init; }
    public bool Is16Bit { get; init; }
    public AlphaPlane AlphaPlane { get; init; }
    /// <summary>The object holding the ICC profile the result carries (<see cref="FarmKeys.IccProfile"/>), if any.</summary>
    public string? IccKey { get; init; }
    public int TilesTotal { get; init; }
    public int TilesDone { get; init; }
    public string? ResultKey { get; init; }
    public long? AssembledMs { get; init; }
    /// <summary>The assembler that leased the frame to write its result (<see cref="IFrameWriterStore.LeaseFrameAsync"/>), if any.</summary>
    public string? Writer { get; init; }
    /// <summary>When that lease ends unless renewed (0: released or never taken).</summary>
    public long WriterUntilMs { get; init; }
}
