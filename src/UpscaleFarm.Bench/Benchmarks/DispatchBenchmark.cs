using UpscaleFarm.Contracts.V1;
using System.Diagnostics;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>
/// The tile dispatcher's queries against a job store holding a large backlog: jobs of planned tiles,
/// a full window claimed, then the steady state (some tiles finish, the window is refilled).
/// </summary>
public static class DispatchBenchmark
{
    public sealed record Result(int Backlog, TimeSpan Fill, TimeSpan Refill, TimeSpan Count, TimeSpan Complete);

    /// <summary>Empties a PostgreSQL job store between backlogs (the benchmark's own database).</summary>
    public static async Task EmptyPostgresAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("TRUNCATE jobs, frames, tiles CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Adds <paramref name="jobs"/> running jobs of <paramref name="tilesPerJob"/> planned tiles each, job j of tenant
    /// j mod <paramref name="tenants"/> at priority j mod <paramref name="priorities"/>.
    /// </summary>
    public static async Task AddBacklogAsync(IJobStore store, int jobs, int tilesPerJob, int tenants = 1, int priorities = 10)
    {
        for (var j = 0; j < jobs; j++)
        {
            var id = Guid.NewGuid();
            await store.TransactAsync(changes => changes.CreateJobAsync(new JobRecord
            {
                Id = id, Tenant = $"bench-{j % Math.Max(1, tenants)}", Model = "m", Priority = j % Math.Max(1, priorities), CreatedMs = j,
                FramesTotal = 1,
            }, [new FrameSource($"bench/{id:N}/0.png", "0.png")]));
            await store.StartJobAsync(id, j);
            await store.SaveFramePlanAsync(new FrameRecord { JobId = id, Frame = 0, State = FrameState.Planned, Width = 1, Height = 1, Scale = 4 },
                Enumerable.Range(0, tilesPerJob).Select(t => new TileRecord
                {
                    JobId = id, Frame = 0, Tile = t, Pack = t, Geometry = new TileGeometry(0, 0, 512, 512, 0, 0, 512, 512),
                }).ToList());
        }
    }

    /// <summary>Claims a window, finishes <paramref name="finished"/> claimed tiles and refills, <paramref name="rounds"/> times; medians.</summary>
    public static async Task<Result> RunAsync(IJobStore store, int backlog, int window, int finished, int rounds)
    {
        var clock = Stopwatch.StartNew();
        var claimed = (await store.ClaimTilesAsync(window)).Tiles.ToList();
        var fill = clock.Elapsed;
        var refills = new List<TimeSpan>();
        var counts = new List<TimeSpan>();
        var completes = new List<TimeSpan>();
        for (var round = 0; round < rounds; round++)
        {
            clock.Restart();
            foreach (var tile in claimed.Take(finished))
                await store.TransactAsync(changes => changes.CompletePackAsync(tile.JobId, tile.Frame, tile.Tile, "bench", 1, 1));
            completes.Add(clock.Elapsed / finished);
            claimed.RemoveRange(0, Math.Min(finished, claimed.Count));
            clock.Restart();
            claimed.AddRange((await store.ClaimTilesAsync(window)).Tiles);
            refills.Add(clock.Elapsed);
            clock.Restart();
            await store.CountDispatchAsync();
            counts.Add(clock.Elapsed);
        }
        return new Result(backlog, fill, Median(refills), Median(counts), Median(completes));
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);
}
