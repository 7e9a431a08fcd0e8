namespace UpscaleFarm.Farm.JobStore;

/// <summary>A job's life: queued → running → completed | failed | cancelled (the last three are final).</summary>
public readonly record struct JobState : IStoredName<JobState>
{
    public static readonly JobState Queued = new("queued"), Running = new("running"), Completed = new("completed"), Failed = new("failed"),
        Cancelled = new("cancelled");

    public static IReadOnlyList<JobState> All { get; } = [Queued, Running, Completed, Failed, Cancelled];

    private JobState(string name) => Name = name;

    public string Name { get; }

    public bool IsFinal => this == Completed || this == Failed || this == Cancelled;

    /// <summary>The state named <paramref name="name"/> (as the API's <c>?state=</c> writes it), or false.</summary>
    public static bool TryParse(string? name, out JobState state)
    {
        state = All.FirstOrDefault(s => s.Name == name);
        return state.Name is not null;
    }

    public static JobState Parse(string name) => TryParse(name, out var state) ? state : throw new FormatException($"'{name}' is not a job state");

    public override string ToString() => Name;
}
