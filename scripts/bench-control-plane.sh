#!/usr/bin/env bash
# The control plane's cost per tile (issue 14): many tiny tiles through the distributed farm as README starts it
# (RabbitMQ, PostgreSQL and s3rver on loopback; a coordinator, WORKERS workers and an assembler as separate
# `serve` processes), with the near-free nearest-neighbour model, so most of the work is messages, job-store
# updates and object writes and reads. For each tile size it runs one job (a SIDE² image, PNG out) and prints its
# stages, the sustained tiles per second over the tile stage and end to end, and the CPU time each process spent
# per tile, read from /proc (user + system, PostgreSQL's backends included).
#   scripts/bench-control-plane.sh [WORKERS] [SIDE] [TILE[,TILE...]]   e.g. scripts/bench-control-plane.sh 2 1024 32,64
# Given two tile sizes, the jobs have the same pixels and differ only in their number of tiles, so the difference in
# CPU divided by the difference in tiles is the fixed cost of a tile, without the pixels' (decoding, inference,
# encoding): that is printed last, per process.
# Farm settings pass through the environment, e.g. Farm__Worker__ConcurrentTiles=16 or Farm__Coordinator__PackPixels=0
# (every tile alone, as before packs). WARM_UP=1 first runs the first job once, unmeasured, so the figures are the
# processes' steady state rather than a fresh start's (which includes compiling the code on the tile path).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workers="${1:-2}"
side="${2:-1024}"
IFS=, read -r -a tiles <<<"${3:-32}"
source "$root/scripts/lib/bench-farm.sh"
bench_farm_setup control-plane
image="$(./upscalefarm-bench farm prepare "$work" --size "${side}x${side}")"
instances=(coordinator assembler)
bench_farm_start coordinator coordinator
bench_farm_start assembler assembler
for i in $(seq 1 "$workers"); do
  bench_farm_start worker "worker-$i"
  instances+=("worker-$i")
done
bench_farm_wait "${instances[@]}"

# The servers' processes, from the state directory services.sh keeps for these ports.
state="$root/.tools/services"
[[ "${UPSCALEFARM_RABBITMQ_PORT:-5673}" == 5673 ]] || state="$root/.tools/services-$UPSCALEFARM_RABBITMQ_PORT"
postmaster="$(head -n 1 "$state/postgres/data/postmaster.pid")"
declare -A process=([rabbitmq]="$(cat "$state/rabbitmq/pid")" [s3rver]="$(cat "$state/s3rver/pid")")
for i in "${!instances[@]}"; do process[${instances[$i]}]="${pids[$i]}"; done

# CPU clock ticks of a process: user + system, and those of its children that ended (fields 14 to 17 of stat).
ticks() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  stat="${stat##*) }"
  read -r -a f <<<"$stat"
  echo $((f[11] + f[12] + f[13] + f[14]))
}
# PostgreSQL: the postmaster, its live backends and workers, and (through its own fields 16-17) those that ended.
postgres_ticks() {
  local total child
  total="$(ticks "$postmaster")"
  for child in $(pgrep -P "$postmaster"); do total=$((total + $(ticks "$child"))); done
  echo "$total"
}
snapshot() {
  local key
  for key in "${!process[@]}"; do echo "$key $(ticks "${process[$key]}")"; done
  echo "postgres $(postgres_ticks)"
}
psql_bench() { PGPASSWORD=upscalefarm psql -h 127.0.0.1 -p "${UPSCALEFARM_POSTGRES_PORT:-5433}" -U upscalefarm -d "$name" "$@"; }
hz="$(getconf CLK_TCK)"

if [[ "${WARM_UP:-0}" != 0 ]]; then
  ./upscalefarm farm submit "$image" --tile "${tiles[0]}" --halo 0 --wait >/dev/null
  echo "(after a warm-up run of the first job)"
fi

# Runs one job in tiles of $1 and prints its figures; leaves "process ticks" lines in $usage and its tile count in $count.
run_job() {
  local tile="$1" before after start_ms end_ms stage_ms farm
  echo
  echo "${side}x${side} in tiles of ${tile}: $(( ((side + tile - 1) / tile) ** 2 )) tiles; $workers worker(s); $(nproc) cores"
  psql_bench -qc "DELETE FROM jobs" # the job before, if any (the last stays for a look at its tiles)
  before="$(snapshot)"
  start_ms=$(date +%s%3N)
  /usr/bin/time -f "client (farm submit --wait): %U s user, %S s system" -o "$work/client-time" ./upscalefarm farm submit "$image" --tile "$tile" --halo 0 --wait >/dev/null
  end_ms=$(date +%s%3N)
  after="$(snapshot)"
  # The job's stages on the job store's clock: submission (the client's start and upload), planning (until the first
  # tile started), the tile stage, and what follows the last tile (the last rows' assembly, the encoding's end, the upload).
  psql_bench -tA -F ' ' -c "
    SELECT 'stages (s): submission', round((j.created_ms - $start_ms) / 1000.0, 1),
           'planning', round((min(t.started_ms) - j.created_ms) / 1000.0, 1),
           'tiles', round((max(t.finished_ms) - min(t.started_ms)) / 1000.0, 1),
           'assembly+upload', round((j.finished_ms - max(t.finished_ms)) / 1000.0, 1),
           E'\\nend to end (job created to completed):', round(count(*) * 1000.0 / greatest(1, j.finished_ms - j.created_ms)), 'tiles/s'
    FROM jobs j JOIN tiles t ON t.job_id = j.id GROUP BY j.id, j.created_ms, j.finished_ms"
  read -r count stage_ms < <(psql_bench -tA -F ' ' -c "SELECT count(*), greatest(1, max(finished_ms) - min(started_ms)) FROM tiles")
  printf "wall %.1f s; tile stage %.1f s; %d tiles: %.0f tiles/s\n\n" \
    "$(echo "($end_ms - $start_ms) / 1000" | bc -l)" "$(echo "$stage_ms / 1000" | bc -l)" "$count" "$(echo "$count * 1000 / $stage_ms" | bc -l)"
  cat "$work/client-time"
  usage="$(join <(sort <<<"$before") <(sort <<<"$after") | awk '{ print $1, $3 - $2 }')"
  echo "| process | CPU s | CPU ms per tile |"
  echo "|---|---:|---:|"
  while read -r key used; do
    printf "| %s | %.2f | %.3f |\n" "$key" "$(echo "$used / $hz" | bc -l)" "$(echo "$used * 1000 / $hz / $count" | bc -l)"
  done <<<"$usage"
  farm=$(awk '$1 != "s3rver" { s += $2 } END { print s }' <<<"$usage")
  printf "| farm processes, PostgreSQL and RabbitMQ | %.2f | %.3f |\n" "$(echo "$farm / $hz" | bc -l)" "$(echo "$farm * 1000 / $hz / $count" | bc -l)"
}

# What the processes spend idle (pollers, timers, the broker's and database's own upkeep), per second: it runs beside
# every job too, so it is part of the per-tile figures below, the more so the shorter the job.
idle_before="$(snapshot)"
sleep 5
echo
echo "Idle, CPU ms per second:$(join <(sort <<<"$idle_before") <(sort <<<"$(snapshot)") | awk -v hz="$hz" '{ printf " %s %.0f;", $1, ($3 - $2) * 1000 / hz / 5 }')"

run_job "${tiles[0]}"
first_usage="$usage" first_count="$count"
if (( ${#tiles[@]} > 1 )); then
  run_job "${tiles[1]}"
  echo
  echo "Fixed cost of a tile, from the difference between the two jobs (same pixels, $first_count and $count tiles):"
  echo "| process | CPU ms per tile |"
  echo "|---|---:|"
  join <(echo "$first_usage") <(echo "$usage") | awk -v hz="$hz" -v d="$((first_count - count))" '
    { printf "| %s | %.3f |\n", $1, ($2 - $3) * 1000 / hz / d; if ($1 != "s3rver") s += $2 - $3 }
    END { printf "| farm processes, PostgreSQL and RabbitMQ | %.3f |\n", s * 1000 / hz / d }'
fi
bench_farm_stop
