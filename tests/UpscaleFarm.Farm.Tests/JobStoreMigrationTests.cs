using Dapper;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>A job store made by an earlier build (the farm's first schema) is brought up to date in place, its new tables added.</summary>
[Collection(FarmCollection.Name)]
public sealed class JobStoreMigrationTests(FarmServices services) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task The_columns_added_since_are_added_and_queued_tiles_stay_queued(string database)
    {
        var dialect = database == "sqlite"
            ? SqlDialect.Sqlite($"Data Source={_dir.File("farm.db")}")
            : SqlDialect.Postgres(services.NewDatabase($"uf_{Guid.NewGuid():N}"[..20]));
        var job = Guid.NewGuid().ToString("N");
        await using (var connection = await dialect.OpenAsync(default))
        {
            await connection.ExecuteAsync(FirstSchema.Replace("{blob}", database == "sqlite" ? "BLOB" : "BYTEA"));
            // A running job whose two tiles the earlier build published at once: one done, one still in the queue.
            await connection.ExecuteAsync("""
                INSERT INTO jobs (id, tenant, state, model, format, quality, alpha, frames_total, tiles_total, tiles_done, created_ms, planned_ms)
                VALUES (@Job, 't', 'running', 'm', 'png', 95, 'model', 1, 2, 1, 1, 2);
                INSERT INTO frames (job_id, frame, source_key, state, width, height, scale, tiles_total, tiles_done) VALUES (@Job, 0, 'k', 'planned', 8, 8, 4, 2, 1);
                INSERT INTO tiles (job_id, frame, tile, plane, state, input_x, input_y, input_width, input_height, core_x, core_y, core_width, core_height)
                VALUES (@Job, 0, 0, 0, 'done', 0, 0, 8, 4, 0, 0, 8, 4), (@Job, 0, 1, 0, 'pending', 0, 4, 8, 4, 0, 4, 8, 4);
                """, new { Job = job });
        }

        using var store = new SqlJobStore(dialect);
        await store.MigrateAsync();
        await store.MigrateAsync(); // a second process starting: nothing left to do

        var migrated = (await store.GetJobAsync(Guid.Parse(job)))!;
        Assert.Equal((5, null, null), (migrated.Priority, migrated.TraceParent, migrated.IdempotencyKey));
        Assert.Equal("", (await store.GetFrameAsync(Guid.Parse(job), 0))!.Name);
        // The pending tile is already in the queue: it counts against the window and is not sent twice.
        Assert.Equal((1, 0), await store.CountDispatchAsync());
        Assert.Empty((await store.ClaimTilesAsync(window: 10)).Tiles);
        // After a restart that lost the queue (the embedded farm), it is sent again.
        Assert.Equal(1, await store.ReleaseAllTilesAsync());
        Assert.Equal([1], (await store.ClaimTilesAsync(window: 10)).Tiles.Select(t => t.Tile));

        // The outbox, a table added since, exists: the job's last tile is counted with its FrameReady.
        Assert.True((await StoreJobs.CompletePackAsync(store, Guid.Parse(job), 0, 1, "w", 1)).FrameComplete);
        Assert.Equal([new FrameReady(Guid.Parse(job), 0)], await StoreJobs.OutboxAsync(store));
    }

    /// <summary>
    /// A database upgraded in place from a build that kept each frame's ICC profile in its row: a planned frame's profile is
    /// moved into the object store when the farm starts (the result still carries it), an assembled frame's and a finished
    /// job's are dropped, and a profile over the limit (never limited then) is dropped.
    /// </summary>
    [Fact]
    public async Task Icc_profiles_an_earlier_build_kept_in_frame_rows_are_moved_to_the_object_store()
    {
        var data = _dir.File("farm");
        Directory.CreateDirectory(data);
        var job = Guid.NewGuid().ToString("N");
        var profile = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        var dialect = SqlDialect.Sqlite($"Data Source={Path.Combine(data, "farm.db")}");
        await using (var connection = await dialect.OpenAsync(default))
        {
            await connection.ExecuteAsync(FirstSchema.Replace("{blob}", "BLOB"));
            await connection.ExecuteAsync("""
                INSERT INTO jobs (id, tenant, state, model, format, quality, alpha, frames_total, created_ms) VALUES (@Job, 't', 'running', 'm', 'png', 95, 'model', 3, 1);
                INSERT INTO frames (job_id, frame, source_key, state, icc_profile) VALUES (@Job, 0, 'k0', 'planned', @Profile), (@Job, 1, 'k1', 'assembled', @Profile),
                    (@Job, 2, 'k2', 'planned', @Huge);
                INSERT INTO jobs (id, tenant, state, model, format, quality, alpha, frames_total, created_ms) VALUES (@Failed, 't', 'failed', 'm', 'png', 95, 'model', 1, 1);
                INSERT INTO frames (job_id, frame, source_key, state, icc_profile) VALUES (@Failed, 0, 'k', 'planned', @Profile);
                """, new { Job = job, Failed = Guid.NewGuid().ToString("N"), Profile = profile, Huge = new byte[(1 << 20) + 1] });
        }
        dialect.Dispose();

        await using (var farm = await EmbeddedFarm.StartAsync(new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = data, ["Farm:ModelsDirectory"] = TestModels.NearestDirectory, ["Farm:ResumeOnStart"] = "false",
        }, UpscaleFarm.Farm.Configuration.FarmRoles.None))
        {
            var frames = await farm.Store.GetFramesAsync(Guid.Parse(job));
            var key = FarmKeys.IccProfile("t", Guid.Parse(job), profile);
            Assert.Equal([key, null, null], frames.Select(f => f.IccKey));
            Assert.Equal(profile, await Storage.ObjectStoreExtensions.ReadAllBytesAsync(farm.Objects, key));
        }
        await using (var connection = await SqlDialect.Sqlite($"Data Source={Path.Combine(data, "farm.db")}").OpenAsync(default))
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM frames WHERE icc_profile IS NOT NULL"));
    }

    /// <summary>The tables as the farm first made them (issue 3), before any column was added.</summary>
    private const string FirstSchema = """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY, tenant TEXT NOT NULL, state TEXT NOT NULL, model TEXT NOT NULL, out_scale DOUBLE PRECISION NULL,
            format TEXT NOT NULL, quality INTEGER NOT NULL, tile_size INTEGER NULL, halo INTEGER NULL, alpha TEXT NOT NULL,
            frames_total INTEGER NOT NULL, frames_done INTEGER NOT NULL DEFAULT 0, tiles_total INTEGER NOT NULL DEFAULT 0,
            tiles_done INTEGER NOT NULL DEFAULT 0, error TEXT NULL, created_ms BIGINT NOT NULL, planned_ms BIGINT NULL, finished_ms BIGINT NULL);
        CREATE INDEX jobs_state ON jobs (state);
        CREATE TABLE frames (
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE, frame INTEGER NOT NULL, source_key TEXT NOT NULL,
            state TEXT NOT NULL, width INTEGER NOT NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0, scale INTEGER NOT NULL DEFAULT 0,
            is_gray INTEGER NOT NULL DEFAULT 0, is16_bit INTEGER NOT NULL DEFAULT 0, alpha_plane INTEGER NOT NULL DEFAULT 0,
            icc_profile {blob} NULL, tiles_total INTEGER NOT NULL DEFAULT 0, tiles_done INTEGER NOT NULL DEFAULT 0,
            result_key TEXT NULL, assembled_ms BIGINT NULL, PRIMARY KEY (job_id, frame));
        CREATE TABLE tiles (
            job_id TEXT NOT NULL, frame INTEGER NOT NULL, tile INTEGER NOT NULL, plane INTEGER NOT NULL, state TEXT NOT NULL,
            input_x INTEGER NOT NULL, input_y INTEGER NOT NULL, input_width INTEGER NOT NULL, input_height INTEGER NOT NULL,
            core_x INTEGER NOT NULL, core_y INTEGER NOT NULL, core_width INTEGER NOT NULL, core_height INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, worker TEXT NULL, last_error TEXT NULL, started_ms BIGINT NULL,
            finished_ms BIGINT NULL, inference_ms BIGINT NULL,
            PRIMARY KEY (job_id, frame, tile), FOREIGN KEY (job_id, frame) REFERENCES frames (job_id, frame) ON DELETE CASCADE);
        """;

    public void Dispose() => _dir.Dispose();
}
