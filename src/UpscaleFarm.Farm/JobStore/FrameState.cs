namespace UpscaleFarm.Farm.JobStore;

/// <summary>A frame's life: pending → planned (tiles recorded; cut, and dispatched, row by row: <see cref="TileRecord.Cut"/>) → assembled.</summary>
public readonly record struct FrameState : IStoredName<FrameState>
{
    public static readonly FrameState Pending = new("pending"), Planned = new("planned"), Assembled = new("assembled");

    private FrameState(string name) => Name = name;

    public string Name { get; }

    public static FrameState Parse(string name) =>
        ((FrameState[])[Pending, Planned, Assembled]).FirstOrDefault(s => s.Name == name) is { Name: not null } state
            ? state
            : throw new FormatException($"'{name}' is not a frame state");

    public override string ToString() => Name;
}
