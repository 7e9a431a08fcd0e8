using Dapper;
using UpscaleFarm.Contracts.V1;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// A tile's geometry as the tiles table keeps it, in eight columns: read after the rest of the row
/// (<see cref="Query"/>), it becomes the <see cref="TileRecord"/>'s one <see cref="TileGeometry"/>, here and nowhere else.
/// </summary>
internal sealed class TileGeometryColumns
{
    /// <summary>A tiles row's columns, the geometry's last (where <see cref="Query"/> splits them).</summary>
    public const string Select = "job_id, frame, tile, plane, state, attempts, worker, last_error, started_ms, finished_ms, inference_ms, cut, pack, "
        + "input_x, input_y, input_width, input_height, core_x, core_y, core_width, core_height";

    public int InputX { get; init; }
    public int InputY { get; init; }
    public int InputWidth { get; init; }
    public int InputHeight { get; init; }
    public int CoreX { get; init; }
    public int CoreY { get; init; }
    public int CoreWidth { get; init; }
    public int CoreHeight { get; init; }

    /// <summary>The tiles rows of <paramref name="sql"/>, which selects (or returns) <see cref="Select"/>.</summary>
    public static async Task<IEnumerable<TileRecord>> Query(System.Data.IDbConnection connection, string sql, object parameters,
        System.Data.IDbTransaction? transaction = null) =>
        await connection.QueryAsync<TileRecord, TileGeometryColumns, TileRecord>(sql, (tile, g) => tile with
        {
            Geometry = new TileGeometry(g.InputX, g.InputY, g.InputWidth, g.InputHeight, g.CoreX, g.CoreY, g.CoreWidth, g.CoreHeight),
        }, parameters, transaction, splitOn: "input_x");
}
