namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// The job store's tables, in SQL that SQLite and PostgreSQL both accept: created when missing (so a table
/// added since, such as the outbox, appears in an earlier build's database), then the columns added since the
/// farm's first schema are added to tables an earlier build made, then the indexes (some of which use those columns).
/// </summary>
internal static class Schema
{
    public const string Tables = """
        CREATE TABLE IF NOT EXISTS jobs (
            id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL,
            state TEXT NOT NULL,
            model TEXT NOT NULL,
            out_scale DOUBLE PRECISION NULL,
            format TEXT NOT NULL,
            quality INTEGER NOT NULL,
            tile_size INTEGER NULL,
            halo INTEGER NULL,
            alpha TEXT NOT NULL,
            frames_total INTEGER NOT NULL,
            frames_done INTEGER NOT NULL DEFAULT 0,
            tiles_total INTEGER NOT NULL DEFAULT 0,
            tiles_done INTEGER NOT NULL DEFAULT 0,
            error TEXT NULL,
            created_ms BIGINT NOT NULL,
            planned_ms BIGINT NULL,
            finished_ms BIGINT NULL,
            idempotency_key TEXT NULL,
            webhook_url TEXT NULL,
            video_key TEXT NULL,
            result_key TEXT NULL,
            priority INTEGER NOT NULL DEFAULT 5,
            trace_parent TEXT NULL,
            reserved_bytes BIGINT NOT NULL DEFAULT 0,
            weight INTEGER NOT NULL DEFAULT 1);
        CREATE TABLE IF NOT EXISTS frames (
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            frame INTEGER NOT NULL,
            source_key TEXT NOT NULL,
            name TEXT NOT NULL,
            state TEXT NOT NULL,
            width INTEGER NOT NULL DEFAULT 0,
            height INTEGER NOT NULL DEFAULT 0,
            scale INTEGER NOT NULL DEFAULT 0,
            is_gray INTEGER NOT NULL DEFAULT 0,
            is16_bit INTEGER NOT NULL DEFAULT 0,
            alpha_plane INTEGER NOT NULL DEFAULT 0,
            icc_key TEXT NULL,
            tiles_total INTEGER NOT NULL DEFAULT 0,
            tiles_done INTEGER NOT NULL DEFAULT 0,
            result_key TEXT NULL,
            assembled_ms BIGINT NULL,
            writer TEXT NULL,
            writer_until_ms BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (job_id, frame));
        CREATE TABLE IF NOT EXISTS tiles (
            job_id TEXT NOT NULL,
            frame INTEGER NOT NULL,
            tile INTEGER NOT NULL,
            plane INTEGER NOT NULL,
            state TEXT NOT NULL,
            input_x INTEGER NOT NULL,
            input_y INTEGER NOT NULL,
            input_width INTEGER NOT NULL,
            input_height INTEGER NOT NULL,
            core_x INTEGER NOT NULL,
            core_y INTEGER NOT NULL,
            core_width INTEGER NOT NULL,
            core_height INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            worker TEXT NULL,
            last_error TEXT NULL,
            started_ms BIGINT NULL,
            finished_ms BIGINT NULL,
            inference_ms BIGINT NULL,
            dispatched INTEGER NOT NULL DEFAULT 0,
            dispatched_ms BIGINT NULL,
            cut INTEGER NOT NULL DEFAULT 1,
            pack INTEGER NOT NULL DEFAULT -1,
            PRIMARY KEY (job_id, frame, tile),
            FOREIGN KEY (job_id, frame) REFERENCES frames (job_id, frame) ON DELETE CASCADE);
        CREATE TABLE IF NOT EXISTS video_cuts (
            job_id TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
            video_key TEXT NOT NULL,
            name TEXT NOT NULL,
            mux_result INTEGER NOT NULL,
            max_frames BIGINT NOT NULL,
            max_pixels BIGINT NOT NULL,
            max_decoded_bytes BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS outbox (
            id TEXT PRIMARY KEY,
            message_type TEXT NOT NULL,
            body TEXT NOT NULL,
            trace_parent TEXT NULL,
            created_ms BIGINT NOT NULL,
            claim TEXT NULL,
            lease_until_ms BIGINT NOT NULL DEFAULT 0);
        """;

    public const string Indexes = """
        CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
        CREATE INDEX IF NOT EXISTS jobs_tenant ON jobs (tenant, created_ms);
        CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency ON jobs (tenant, idempotency_key);
        CREATE INDEX IF NOT EXISTS tiles_waiting ON tiles (job_id, frame, tile) WHERE state = 'pending' AND dispatched = 0;
        CREATE INDEX IF NOT EXISTS tiles_pack ON tiles (job_id, frame, pack);
        CREATE INDEX IF NOT EXISTS tiles_in_queue ON tiles (job_id) WHERE state = 'pending' AND dispatched = 1;
        CREATE INDEX IF NOT EXISTS outbox_due ON outbox (lease_until_ms, created_ms);
        """;

    /// <summary>Where an earlier build kept each frame's ICC profile (a blob per row); new databases do not have it.</summary>
    public const string LegacyIccColumn = "icc_profile";

    /// <summary>Columns added after their table's first version: (table, column, its definition for ALTER TABLE ADD COLUMN).</summary>
    public static readonly (string Table, string Column, string Definition)[] AddedColumns =
    [
        ("frames", "name", "TEXT NOT NULL DEFAULT ''"),
        ("jobs", "idempotency_key", "TEXT NULL"),
        ("jobs", "webhook_url", "TEXT NULL"),
        ("jobs", "video_key", "TEXT NULL"),
        ("jobs", "result_key", "TEXT NULL"),
        ("jobs", "priority", "INTEGER NOT NULL DEFAULT 5"),
        ("jobs", "trace_parent", "TEXT NULL"),
        ("tiles", "dispatched", "INTEGER NOT NULL DEFAULT 0"),
        ("tiles", "dispatched_ms", "BIGINT NULL"),
        // 0 while the tile's input is not yet in the object store (its frame is being cut): not dispatchable. An earlier
        // build recorded tiles only once all were cut, so its rows take the default, cut.
        ("tiles", "cut", "INTEGER NOT NULL DEFAULT 1"),
        // The assembler writing the frame's result, and until when its lease holds (Assembler.FrameWriterService).
        ("frames", "writer", "TEXT NULL"),
        ("frames", "writer_until_ms", "BIGINT NOT NULL DEFAULT 0"),
        // The first tile of the tile's pack (Packing.TilePacker), which names the pack. An earlier build sent every tile
        // alone: its rows become packs of one.
        ("tiles", "pack", "INTEGER NOT NULL DEFAULT -1"),
        // The object holding the frame's ICC profile (FarmKeys.IccProfile). An earlier build kept the profile itself in
        // frames.icc_profile, row by row: a frame that was assembled needs it no more, and a planned one's is moved into the
        // object store when the farm starts (JobStoreMigration).
        ("frames", "icc_key", "TEXT NULL"),
        ("jobs", "reserved_bytes", "BIGINT NOT NULL DEFAULT 0"),
        ("jobs", "weight", "INTEGER NOT NULL DEFAULT 1"),
        // The coordinator cutting the video, and until when its lease holds (Coordinator.VideoCutService).
        ("video_cuts", "cutter", "TEXT NULL"),
        ("video_cuts", "lease_until_ms", "BIGINT NOT NULL DEFAULT 0"),
        // The tenant's upload limit, which bounds the video's download; a row an earlier build wrote takes the default tenant's (4 GiB).
        ("video_cuts", "max_video_bytes", "BIGINT NOT NULL DEFAULT 4294967296"),
    ];

    /// <summary>
    /// Run once when a column is added to an existing table. An earlier build published every planned
    /// tile at once: its unfinished tiles are already in the queue, so they count as dispatched.
    /// </summary>
    public static string? AfterAdding(string table, string column) => (table, column) switch
    {
        ("tiles", "dispatched") => "UPDATE tiles SET dispatched = 1 WHERE state = 'pending'",
        ("tiles", "pack") => "UPDATE tiles SET pack = tile",
        // Only a planned frame of an unfinished job will be assembled: every other row's profile goes at once.
        ("frames", "icc_key") => $"""
            UPDATE frames SET {LegacyIccColumn} = NULL
            WHERE state <> 'planned' OR job_id NOT IN (SELECT id FROM jobs WHERE state IN ('queued', 'running'))
            """,
        _ => null,
    };
}
