#!/bin/sh
# The one-shot compose service postgres-grants: waits until the farm has created the job store's tables
# (with every column grafana-reader.sql names, including those a migration adds), then runs
# grafana-reader.sql as the superuser. Connection settings from PGHOST, PGUSER, PGPASSWORD, PGDATABASE.
# Exits non-zero after about 10 minutes without the tables (then Grafana, which waits for it, does not
# start: `docker compose up` again once the farm runs).
set -eu
here="$(dirname "$0")"
query="SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND (
  (table_name = 'jobs' AND column_name IN ('id', 'tenant', 'state', 'model', 'priority', 'frames_done', 'frames_total',
    'tiles_done', 'tiles_total', 'created_ms', 'planned_ms', 'finished_ms'))
  OR (table_name = 'tiles' AND column_name IN ('job_id', 'frame', 'tile', 'plane', 'state', 'attempts', 'worker',
    'started_ms', 'finished_ms', 'inference_ms', 'dispatched', 'core_width', 'core_height', 'last_error'))
  OR (table_name = 'frames' AND column_name = 'job_id'))"
tries=0
until [ "$(psql -X -q -t -A -c "$query" 2>/dev/null || echo 0)" = 27 ]; do
  tries=$((tries + 1))
  [ "$tries" -le 200 ] || { echo "postgres-grants: the farm's tables did not appear in $PGDATABASE" >&2; exit 1; }
  [ $((tries % 10)) -eq 1 ] && echo "postgres-grants: waiting for the farm to create its tables in $PGDATABASE"
  sleep 3
done
psql -X -q -v ON_ERROR_STOP=1 -f "$here/grafana-reader.sql"
echo "postgres-grants: grafana_reader may read the dashboards' columns of jobs and tiles"
