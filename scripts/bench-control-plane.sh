#!/usr/bin/env bash
# The control plane's cost per tile (issue 14): many tiny tiles through the distributed farm as README starts it
# (RabbitMQ, PostgreSQL and s3rver on loopback; a coordinator, WORKERS workers and an assembler as separate
# `serve` processes), with the near-free nearest-neighbour model, so nearly all the work is messages, job-store
# updates and object writes and reads. Prints the sustained tiles per second over the tile stage, and the CPU time
# each process spent per tile over the whole job, read from /proc (user + system, PostgreSQL's backends included).
#   scripts/bench-control-plane.sh [WORKERS] [SIDE] [TILE]   e.g. scripts/bench-control-plane.sh 2 1024 32
# Worker settings pass through the environment, e.g. Farm__Worker__ConcurrentTiles=16.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workers="${1:-2}"
side="${2:-1024}"
tile="${3:-32}"
source "$root/scripts/lib/bench-farm.sh"
bench_farm_setup control-plane
image="$(./upscalefarm bench farm prepare "$work" --size "${side}x${side}")"
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

echo "${side}x${side} in tiles of ${tile}: $(( ((side + tile - 1) / tile) ** 2 )) tiles; $workers worker(s); $(nproc) cores"
before="$(snapshot)"
start_ms=$(date +%s%3N)
./upscalefarm farm submit "$image" --tile "$tile" --halo 0 --wait >/dev/null
end_ms=$(date +%s%3N)
after="$(snapshot)"

read -r tiles stage_ms < <(PGPASSWORD=upscalefarm psql -h 127.0.0.1 -p "${UPSCALEFARM_POSTGRES_PORT:-5433}" -U upscalefarm -d "$name" -tA -F ' ' \
  -c "SELECT count(*), greatest(1, max(finished_ms) - min(started_ms)) FROM tiles")
hz="$(getconf CLK_TCK)"
printf "wall %.1f s; tile stage %.1f s; %d tiles: %.0f tiles/s\n\n" \
  "$(echo "($end_ms - $start_ms) / 1000" | bc -l)" "$(echo "$stage_ms / 1000" | bc -l)" "$tiles" "$(echo "$tiles * 1000 / $stage_ms" | bc -l)"
echo "| process | CPU s | CPU ms per tile |"
echo "|---|---:|---:|"
join <(sort <<<"$before") <(sort <<<"$after") | while read -r key a b; do
  printf "| %s | %.2f | %.3f |\n" "$key" "$(echo "($b - $a) / $hz" | bc -l)" "$(echo "($b - $a) * 1000 / $hz / $tiles" | bc -l)"
done
farm=$(join <(sort <<<"$before") <(sort <<<"$after") | awk '$1 != "s3rver" { s += $3 - $2 } END { print s }')
printf "| farm processes, PostgreSQL and RabbitMQ | %.2f | %.3f |\n" "$(echo "$farm / $hz" | bc -l)" "$(echo "$farm * 1000 / $hz / $tiles" | bc -l)"
bench_farm_stop
