#!/usr/bin/env bash
# The farm on a huge image, distributed: coordinator, worker and assembler as separate processes through
# RabbitMQ, s3rver and PostgreSQL on loopback (scripts/services.sh), with the near-free nearest-neighbour
# x4 model, so the figures are the cost of the plumbing. Prints each stage's wall time and each role's
# peak RSS (VmHWM, printed by `serve` when it stops), and the worker's CPU milliseconds per output megapixel outside
# inference. Settings pass through the environment, e.g. Farm__Worker__PixelConversion=Device to convert pixels in the graph;
# BENCH_MODEL=linear-x4 upscales bilinearly instead: cheap too, but with photo-like tiles for the codecs.
#   scripts/bench-huge.sh [SIDE] [FORMAT] [SOURCE]   e.g. scripts/bench-huge.sh 10000 tiff
# SOURCE: png (default), interlaced-png, jpeg or progressive-jpeg (the last two and Adam7 PNGs decode only whole).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
side="${1:-10000}"
format="${2:-tiff}"
source_kind="${3:-png}"
source "$root/scripts/lib/bench-farm.sh"
bench_farm_setup huge
source="$(./upscalefarm-bench farm prepare "$work" --size "${side}x${side}" --source "$source_kind")"
for role in coordinator worker assembler; do
  bench_farm_start "$role" "$role"
done
bench_farm_wait coordinator worker assembler

echo "source: ${side}x${side} ($(du -h "$source" | cut -f1) $source_kind) -> $((side * 4))x$((side * 4)) $format"
start_ms=$(date +%s%3N)
job=$(./upscalefarm farm submit "$source" --format "$format" --model "${BENCH_MODEL:-nearest-x4}" --wait | head -n 1)
end_ms=$(date +%s%3N)
printf "wall time, submit to completed: %.1f s\n" "$(echo "($end_ms - $start_ms) / 1000" | bc -l)"
# Stages on the job store's clock: submission (the client's start and upload), planning (until the first tile
# started), the tile stage (first tile started to last finished), and what follows the last tile (the rest of
# the assembly and the upload), also as a share of the wall time and the wall time as a multiple of the tile stage.
PGPASSWORD=upscalefarm psql -h 127.0.0.1 -p "${UPSCALEFARM_POSTGRES_PORT:-5433}" -U upscalefarm -d "$name" -tA -F ' ' -c "
  SELECT 'stages (s): submission', round((j.created_ms - $start_ms) / 1000.0, 1),
         'planning', round((min(t.started_ms) - j.created_ms) / 1000.0, 1),
         'tiles', round((max(t.finished_ms) - min(t.started_ms)) / 1000.0, 1),
         'assembly+upload', round((j.finished_ms - max(t.finished_ms)) / 1000.0, 1), 'tiles:', count(*),
         E'\nafter the last tile:', round(100.0 * (j.finished_ms - max(t.finished_ms)) / ($end_ms - $start_ms), 0) || ' % of the wall time;',
         'wall / tile stage:', round(($end_ms - $start_ms)::numeric / greatest(1, max(t.finished_ms) - min(t.started_ms)), 2)
  FROM jobs j JOIN tiles t ON t.job_id = j.id GROUP BY j.id, j.created_ms, j.finished_ms"
bench_farm_stop
for role in coordinator worker assembler; do
  echo "$role: $(grep -o 'peak RSS [0-9]* MiB' "$work/$role.log")"
done
# The worker's CPU path: CPU time outside inference per output megapixel (exact with Farm__Worker__IntraOpThreads=1).
grep -o 'after [0-9]* warm-up tiles.*' "$work/worker.log" | sed 's/^/worker: /' || true
