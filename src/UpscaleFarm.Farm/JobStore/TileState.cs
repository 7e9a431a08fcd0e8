namespace UpscaleFarm.Farm.JobStore;

/// <summary>A tile's life: pending (planned, perhaps in the queue or with a worker) → done (its pack's outputs stored and counted).</summary>
public readonly record struct TileState : IStoredName<TileState>
{
    public static readonly TileState Pending = new("pending"), Done = new("done");

    private TileState(string name) => Name = name;

    public string Name { get; }

    public static TileState Parse(string name) =>
        name == Pending.Name ? Pending : name == Done.Name ? Done : throw new FormatException($"'{name}' is not a tile state");

    public override string ToString() => Name;
}
