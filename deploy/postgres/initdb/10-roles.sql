-- Run once, when the PostgreSQL volume is created (docker-entrypoint-initdb.d, as the superuser
-- "postgres"). The passwords come from the container's environment (docker-compose.yml, .env):
--   upscalefarm     the farm's role (API, coordinator, assembler, workers): owns the database
--                   upscalefarm and the tables the farm creates in it; no superuser, no CREATEROLE/CREATEDB.
--   grafana_reader  Grafana's job drill-down: may connect, and nothing else until the one-shot
--                   service postgres-grants (deploy/postgres/grants) grants it SELECT on the few columns
--                   the dashboards read, once the farm has created its tables.
\set ON_ERROR_STOP on
\getenv farm_password POSTGRES_FARM_PASSWORD
\getenv grafana_password POSTGRES_GRAFANA_PASSWORD
\if :{?farm_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'POSTGRES_FARM_PASSWORD is not set'; END $$;
\endif
\if :{?grafana_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'POSTGRES_GRAFANA_PASSWORD is not set'; END $$;
\endif

CREATE ROLE upscalefarm LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'farm_password';
CREATE ROLE grafana_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'grafana_password';
CREATE DATABASE upscalefarm OWNER upscalefarm;
-- Only these two roles (and the superuser) may connect to the job store.
REVOKE ALL ON DATABASE upscalefarm FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE upscalefarm TO upscalefarm;
GRANT CONNECT ON DATABASE upscalefarm TO grafana_reader;
