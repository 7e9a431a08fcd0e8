-- Run once, when the PostgreSQL volume is created (docker-entrypoint-initdb.d).
-- Grafana's job drill-down reads the job store (a job's tiles by state, worker and timing) as this
-- role: it may read every table, including the ones the farm creates later, and change nothing.
CREATE ROLE grafana_reader LOGIN PASSWORD 'grafana-reader';
GRANT pg_read_all_data TO grafana_reader;
