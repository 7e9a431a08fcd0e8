using UpscaleFarm.Contracts.V1;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// A tiles row as Dapper reads it, its geometry in eight columns: turned into a <see cref="TileRecord"/> (or a
/// <see cref="TileDispatch"/>) with one <see cref="TileGeometry"/>, here and nowhere else.
/// </summary>
internal sealed class TileRow
{
    public Guid JobId { get; init; }
    public int Frame { get; init; }
    public int Tile { get; init; }
    public int Plane { get; init; }
    public string State { get; init; } = TileState.Pending;
    public int InputX { get; init; }
    public int InputY { get; init; }
    public int InputWidth { get; init; }
    public int InputHeight { get; init; }
    public int CoreX { get; init; }
    public int CoreY { get; init; }
    public int CoreWidth { get; init; }
    public int CoreHeight { get; init; }
    public int Attempts { get; init; }
    public string? Worker { get; init; }
    public string? LastError { get; init; }
    public long? StartedMs { get; init; }
    public long? FinishedMs { get; init; }
    public long? InferenceMs { get; init; }
    public bool Cut { get; init; }
    public int Pack { get; init; }

    /// <summary>The columns <see cref="ToRecord"/> reads.</summary>
    public const string Columns = "job_id, frame, tile, plane, state, input_x, input_y, input_width, input_height, core_x, core_y, core_width, core_height, attempts, worker, last_error, started_ms, finished_ms, inference_ms, cut, pack";

    public TileGeometry Geometry => new(InputX, InputY, InputWidth, InputHeight, CoreX, CoreY, CoreWidth, CoreHeight);

    public TileRecord ToRecord() => new()
    {
        JobId = JobId, Frame = Frame, Tile = Tile, Plane = Plane, State = State, Geometry = Geometry, Attempts = Attempts, Worker = Worker,
        LastError = LastError, StartedMs = StartedMs, FinishedMs = FinishedMs, InferenceMs = InferenceMs, Cut = Cut, Pack = Pack,
    };
}
