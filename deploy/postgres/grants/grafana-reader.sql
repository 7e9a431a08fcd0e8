-- Grafana's read access to the job store: SELECT on the columns the dashboards in
-- deploy/grafana/dashboards read, and on nothing else. Run as the superuser (or the tables' owner)
-- after the farm has created its tables: by the one-shot compose service postgres-grants
-- (wait-and-grant.sh), by the chart's post-install Job, and by tests/deploy/compose/check.sh, which then
-- runs the drill-down's SQL as grafana_reader and checks that the tenant payload columns are refused.
--
-- Why column GRANTs after the schema exists, and not something at initdb time:
--   * the farm creates jobs, frames and tiles itself when it starts (src/UpscaleFarm.Farm/JobStore/
--     Schema.cs), after docker-entrypoint-initdb.d has run, so nothing that names them can run there;
--   * ALTER DEFAULT PRIVILEGES grants whole tables (every column, present and future: webhook_url,
--     idempotency_key, source keys and names, error texts), which is what this replaces
--     (pg_read_all_data read everything in every table);
--   * views would hide the columns as well, but a view owned by another role pins the columns it
--     reads: the farm's own migrations (ALTER TABLE on its tables) would then fail on a dependency it
--     does not know about. Column privileges block no ALTER TABLE, and a column the farm adds later is
--     unreadable to grafana_reader until it is listed here.
-- Idempotent: every run revokes what the role had on the tables and grants the list below again.
\set ON_ERROR_STOP on
BEGIN;
-- pg_read_all_data: what an earlier deploy/postgres/initdb gave this role.
REVOKE pg_read_all_data FROM grafana_reader;
REVOKE ALL ON jobs, frames, tiles FROM grafana_reader;
-- The job drill-down's "Job" panel: no error, webhook_url, idempotency_key, video_key, result_key,
-- trace_parent, out_scale/format/quality/tile_size/halo/alpha.
GRANT SELECT (id, tenant, state, model, priority, frames_done, frames_total, tiles_done, tiles_total,
              created_ms, planned_ms, finished_ms)
  ON jobs TO grafana_reader;
-- The drill-down's tile panels. last_error is a worker's or the model's failure on a tile (decode,
-- inference, upload), what an operator needs to see why tiles were retried. No frames columns at all:
-- they hold the sources' object keys and file names.
GRANT SELECT (job_id, frame, tile, plane, state, attempts, worker, started_ms, finished_ms, inference_ms,
              dispatched, core_width, core_height, last_error)
  ON tiles TO grafana_reader;
COMMIT;
