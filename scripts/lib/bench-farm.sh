# Sourced by the distributed benchmarks (bench-huge.sh, bench-control-plane.sh): the farm as README starts it,
# with its servers from scripts/services.sh on loopback, a fresh RabbitMQ vhost and PostgreSQL database per run,
# and each role a separate `serve` process logging into the run's work directory.
#   bench_farm_setup PREFIX          start the servers, make $work, $name, the vhost, the database; export Farm__…
#   bench_farm_start ROLE INSTANCE   start one role (its pid appended to $pids, its log $work/INSTANCE.log)
#   bench_farm_wait INSTANCE...      wait until each instance's bus has started
#   bench_farm_stop                  SIGTERM every role and wait (each prints its peak RSS when it stops)
# KEEP_LOGS=DIR keeps the roles' logs there; KEEP_DB=1 keeps the run's PostgreSQL database.

bench_farm_setup() {
  cd "$root"
  eval "$(scripts/services.sh start | sed -E 's/^([A-Z0-9_]+)=(.*)$/export \1="\2"/')"
  work="$(mktemp -d "${TMPDIR:-/tmp}/upscalefarm-$1-XXXXXX")"
  name="bench_$(date +%s)"
  pids=()
  trap bench_farm_cleanup EXIT
  scripts/services.sh rabbitmqctl add_vhost "$name" >/dev/null
  scripts/services.sh rabbitmqctl set_permissions -p "$name" guest ".*" ".*" ".*" >/dev/null
  PGPASSWORD=upscalefarm psql -h 127.0.0.1 -p "${UPSCALEFARM_POSTGRES_PORT:-5433}" -U upscalefarm -d upscalefarm -qc "CREATE DATABASE $name"
  export Farm__Transport=rabbitmq Farm__RabbitMqUrl="${UPSCALEFARM_RABBITMQ%/}/$name" Farm__Database=postgres
  export Farm__DatabaseConnection="${UPSCALEFARM_POSTGRES/Database=upscalefarm/Database=$name}"
  export Farm__Storage=s3 Farm__S3ServiceUrl="$UPSCALEFARM_S3_ENDPOINT" Farm__S3Bucket="$UPSCALEFARM_S3_BUCKET"
  export Farm__S3AccessKey="$UPSCALEFARM_S3_ACCESS_KEY" Farm__S3SecretKey="$UPSCALEFARM_S3_SECRET_KEY" Farm__ModelsDirectory="$work/models"
}

bench_farm_cleanup() {
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  [[ -n "${KEEP_LOGS:-}" ]] && cp "$work"/*.log "$KEEP_LOGS"/ 2>/dev/null
  rm -rf "$work"
  # Each run's vhost and database go too (KEEP_DB=1 keeps the database for a look at its tiles): a broker holding
  # hundreds of idle vhosts spends CPU on them, which later runs would count.
  "$root/scripts/services.sh" rabbitmqctl delete_vhost "$name" >/dev/null 2>&1 || true
  [[ -n "${KEEP_DB:-}" ]] || PGPASSWORD=upscalefarm psql -h 127.0.0.1 -p "${UPSCALEFARM_POSTGRES_PORT:-5433}" -U upscalefarm -d upscalefarm \
    -qc "DROP DATABASE IF EXISTS $name" 2>/dev/null || true
}

bench_farm_start() {
  Farm__DataDirectory="$work/$2" Farm__InstanceName="$2" ./upscalefarm serve --role "$1" >"$work/$2.log" 2>&1 &
  pids+=($!)
}

bench_farm_wait() {
  local instance
  for instance in "$@"; do
    until grep -q "Bus started" "$work/$instance.log"; do sleep 0.2; done
  done
}

bench_farm_stop() {
  kill -TERM "${pids[@]}"
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}
