#!/usr/bin/env bash
# Starts the farm's servers on loopback for tests and local runs, installing them first when missing:
#   RabbitMQ (Debian rabbitmq-server), PostgreSQL (Debian postgresql), s3rver 3.7.1 (npm, into .tools).
# Each runs from its own state directory under .tools/services, so it touches no system instance.
#   scripts/services.sh start   start all three (idempotent) and print the settings to use
#   scripts/services.sh stop [rabbitmq|postgres|s3]   stop them (or the one named)
#   scripts/services.sh rabbitmqctl ARGS...   run rabbitmqctl against the farm's node
# Ports: UPSCALEFARM_RABBITMQ_PORT (5673), UPSCALEFARM_POSTGRES_PORT (5433), UPSCALEFARM_S3_PORT (4569); with
# other ports (all three), a second instance runs beside the first, from .tools/services-RABBITMQPORT.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rabbit_port="${UPSCALEFARM_RABBITMQ_PORT:-5673}"
pg_port="${UPSCALEFARM_POSTGRES_PORT:-5433}"
s3_port="${UPSCALEFARM_S3_PORT:-4569}"
bucket=upscalefarm
# A second instance (other ports: set all three) has its own node name and state directory, and runs beside the first.
node="upscalefarm@localhost" state="$root/.tools/services"
[[ "$rabbit_port" == 5673 ]] || { node="upscalefarm-$rabbit_port@localhost"; state="$root/.tools/services-$rabbit_port"; }
# The server's own binaries (initdb): the client package alone also makes a bin directory, with psql only.
server_bin() { ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname; }
pg_bin="$(server_bin || true)"

# RabbitMQ as this user, with its node, cookie, data and logs in the state directory, bound to loopback.
rabbit_env() {
  export HOME="$state/rabbitmq" RABBITMQ_NODENAME="$node" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$rabbit_port" RABBITMQ_DIST_PORT=$((rabbit_port + 20000)) ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$state/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$state/rabbitmq/log"
  export RABBITMQ_PID_FILE="$state/rabbitmq/pid" RABBITMQ_ENABLED_PLUGINS_FILE="$state/rabbitmq/enabled_plugins"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}
rabbitmqctl() { (rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl -n "$node" "$@"); }

install_missing() {
  local missing=()
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
  [[ -n "$pg_bin" ]] || missing+=(postgresql)
  if ((${#missing[@]})); then
    local sudo_cmd=""; [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    # policy-rc.d keeps Debian from starting system-wide instances: ours run from the state directory.
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
    pg_bin="$(server_bin)"
  fi
  s3rver="$root/.tools/npm/s3rver@3.7.1/node_modules/s3rver/bin/s3rver.js"
  [[ -f "$s3rver" ]] || npm install --prefix "$root/.tools/npm/s3rver@3.7.1" --no-audit --no-fund --no-save s3rver@3.7.1 >/dev/null
}

start_rabbitmq() {
  mkdir -p "$state/rabbitmq"
  [[ -f "$state/rabbitmq/enabled_plugins" ]] || echo "[]." > "$state/rabbitmq/enabled_plugins"
  if ! rabbitmqctl status >/dev/null 2>&1; then
    (rabbit_env; /usr/lib/rabbitmq/bin/rabbitmq-server -detached)
  fi
  # "wait" follows the pid file until the broker has booted (await_startup needs the node already registered).
  rabbitmqctl wait "$state/rabbitmq/pid" --timeout 120 >/dev/null
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
as_pg() { if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

start_postgres() {
  local data="$state/postgres/data" sockets="$state/postgres/sockets"
  mkdir -p "$state/postgres" "$sockets"
  [[ $(id -u) -eq 0 ]] && chown -R postgres "$state/postgres" && chmod 755 "$root/.tools" "$state"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    as_pg "'$pg_bin/initdb' -D '$data' -U postgres --auth=trust >/dev/null"
  fi
  if ! as_pg "'$pg_bin/pg_ctl' -D '$data' status >/dev/null 2>&1"; then
    as_pg "'$pg_bin/pg_ctl' -D '$data' -l '$state/postgres/log' -w -o \"-p $pg_port -k '$sockets' -c listen_addresses=127.0.0.1\" start >/dev/null"
  fi
  as_pg "'$pg_bin/psql' -h 127.0.0.1 -p $pg_port -U postgres -tAc \"SELECT 1 FROM pg_roles WHERE rolname='upscalefarm'\" | grep -q 1 || '$pg_bin/psql' -h 127.0.0.1 -p $pg_port -U postgres -qc \"CREATE ROLE upscalefarm LOGIN PASSWORD 'upscalefarm' CREATEDB\""
  as_pg "'$pg_bin/psql' -h 127.0.0.1 -p $pg_port -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='upscalefarm'\" | grep -q 1 || '$pg_bin/createdb' -h 127.0.0.1 -p $pg_port -U postgres -O upscalefarm upscalefarm"
}

start_s3rver() {
  mkdir -p "$state/s3rver/data"
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null; then
    nohup node "$s3rver" --directory "$state/s3rver/data" --address 127.0.0.1 --port "$s3_port" \
      --configure-bucket "$bucket" --silent >"$state/s3rver/log" 2>&1 &
    echo $! > "$state/s3rver/pid"
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null && break; sleep 0.1; done
  fi
}

case "${1:-start}" in
  start)
    install_missing
    start_rabbitmq
    start_postgres
    start_s3rver
    cat <<SETTINGS
UPSCALEFARM_RABBITMQ=amqp://guest:guest@127.0.0.1:$rabbit_port/
UPSCALEFARM_POSTGRES=Host=127.0.0.1;Port=$pg_port;Database=upscalefarm;Username=upscalefarm;Password=upscalefarm
UPSCALEFARM_S3_ENDPOINT=http://127.0.0.1:$s3_port
UPSCALEFARM_S3_BUCKET=$bucket
UPSCALEFARM_S3_ACCESS_KEY=S3RVER
UPSCALEFARM_S3_SECRET_KEY=S3RVER
SETTINGS
    ;;
  stop)
    # All three, or the one named (rabbitmq, postgres or s3), e.g. for the fault runs.
    which="${2:-all}"
    if [[ $which == all || $which == rabbitmq ]]; then rabbitmqctl stop >/dev/null 2>&1 || true; fi
    if [[ ($which == all || $which == postgres) && -n "$pg_bin" && -f "$state/postgres/data/PG_VERSION" ]]; then
      as_pg "'$pg_bin/pg_ctl' -D '$state/postgres/data' -m fast -w stop >/dev/null 2>&1" || true
    fi
    if [[ ($which == all || $which == s3) && -f "$state/s3rver/pid" ]]; then kill "$(cat "$state/s3rver/pid")" 2>/dev/null || true; fi
    ;;
  rabbitmqctl)
    # rabbitmqctl against this node, e.g. for tests: rabbitmqctl add_vhost NAME, stop_app, start_app.
    shift
    rabbitmqctl "$@"
    ;;
  restart-postgres)
    # A fast restart (open connections are cut, as in a failover), for the fault tests.
    as_pg "'$pg_bin/pg_ctl' -D '$state/postgres/data' -m fast -w restart >/dev/null"
    ;;
  *) echo "usage: $0 start|stop [rabbitmq|postgres|s3]|restart-postgres|rabbitmqctl ARGS..." >&2; exit 2 ;;
esac
