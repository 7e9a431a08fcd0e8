#!/usr/bin/env bash
# The farm under real faults, distributed as README starts it (RabbitMQ, PostgreSQL and s3rver from
# scripts/services.sh; each role its own `serve` process), while jobs run with `farm submit --wait` attached.
# Every result must be byte-identical to `upscalefarm upscale` with the same model and tiling.
#
#   scripts/chaos.sh                 the full run: 60 s outages, every fault in the table of docs/reliability.md
#   scripts/chaos.sh --quick         the bounded run the test suite makes: 8 s outages, shorter holds
#   options: --outage S (storage, broker and partition length)  --replicas N (coordinators and assemblers)
#            --single (one job, on a larger image, must live through every fault)  --size WxH (its size)
#            --model ID  --tile N  --halo N  --jobs N (jobs kept in flight)  --only FAULT,FAULT...
#            --keep (keep the logs of a run that passed)
#
# Faults, in order, each while jobs are in flight: SIGKILL of a worker, the coordinator and the assembler
# (each restarted 2 s later, as a supervisor would); SIGSTOP of a worker (a hung node) for a hold; the object
# store stopped; the broker stopped; PostgreSQL restarted, then stopped for a hold; one worker's network
# cut with nftables (it runs in its own network namespace); the assembler's scratch disk (a tmpfs) filled.
# Needs root (namespaces, nftables, tmpfs). Installs nftables when missing. Prints a Markdown table and
# exits non-zero if any job failed, stalled or differs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

keep="" outage=60 hold=20 replicas=1 single=0 size="" model=general-x4v3 tile=64 halo=8 in_flight=2 only="" quick=0
while (($#)); do
  case "$1" in
    --quick) quick=1; outage=8; hold=5 ;;
    --outage) outage="$2"; shift ;;
    --replicas) replicas="$2"; shift ;;
    --single) single=1; in_flight=1 ;;
    --size) size="$2"; shift ;;
    --model) model="$2"; shift ;;
    --tile) tile="$2"; shift ;;
    --halo) halo="$2"; shift ;;
    --jobs) in_flight="$2"; shift ;;
    --only) only="$2"; shift ;;
    --keep) keep=1 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) -eq 0 ]] || { echo "chaos.sh needs root: network namespaces, nftables and a tmpfs" >&2; exit 2; }
command -v nft >/dev/null && command -v socat >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables socat >/dev/null; }

eval "$(scripts/services.sh start | sed -E 's/^([A-Z0-9_]+)=(.*)$/export \1="\2"/')"
rabbit_port="${UPSCALEFARM_RABBITMQ_PORT:-5673}" pg_port="${UPSCALEFARM_POSTGRES_PORT:-5433}" s3_port="${UPSCALEFARM_S3_PORT:-4569}"
work="$(mktemp -d "${TMPDIR:-/tmp}/upscalefarm-chaos-XXXXXX")"
name="chaos_$(date +%s)_$$"
# One run at a time (the servers are shared): a namespace, link and table left by a killed run are removed.
ns=upscalefarm-chaos veth_host=ufchaos-host veth_ns=ufchaos-ns host_ip=10.77.0.1 ns_ip=10.77.0.2
nft delete table inet "$ns" 2>/dev/null || true
ip link del "$veth_host" 2>/dev/null || true
ip netns del "$ns" 2>/dev/null || true
started=$(date +%s)
log() { printf '%5ds  %s\n' $(($(date +%s) - started)) "$*" | tee -a "$work/events.log" >&2; }

declare -A pid
cleanup() {
  set +e
  touch "$work/stop"
  for p in $(cat "$work"/submitters 2>/dev/null); do pkill -TERM -P "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
  for p in "${pid[@]}"; do kill -CONT "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
  sleep 2
  for p in "${pid[@]}"; do kill -KILL "$p" 2>/dev/null; done
  nft delete table inet "$ns" 2>/dev/null
  ip link del "$veth_host" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  umount "$work/data/assembler-1" 2>/dev/null
  scripts/services.sh start >/dev/null 2>&1   # whatever a fault left stopped
  [[ -n "${keep:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# The CLI built once (./upscalefarm rebuilds when a source changes: not in the middle of a run).
./upscalefarm models list >/dev/null
cli="$root/src/UpscaleFarm.Cli/bin/Release/publish/upscalefarm"

# The model, the source and the reference: `upscale` in this process, the same tiling as the jobs.
if [[ -n "$size" || $single -eq 1 ]]; then
  source="$(./upscalefarm-bench farm prepare "$work/prepared" --size "${size:-1200x900}" --source png)"
else
  source="$root/samples/chelsea.png"
fi
export Farm__ModelsDirectory="$root/models"
log "reference: upscale $(basename "$source") with $model, tile $tile, halo $halo"
"$cli" upscale "$source" -o "$work/reference.png" --model "$model" --tile "$tile" --halo "$halo" --device cpu >/dev/null

# An isolated vhost and database for this run.
scripts/services.sh rabbitmqctl add_vhost "$name" >/dev/null
scripts/services.sh rabbitmqctl set_permissions -p "$name" guest ".*" ".*" ".*" >/dev/null
PGPASSWORD=upscalefarm psql -h 127.0.0.1 -p "$pg_port" -U upscalefarm -d upscalefarm -qc "CREATE DATABASE $name"
export Farm__Transport=rabbitmq Farm__Database=postgres Farm__Storage=s3
export Farm__S3Bucket="$UPSCALEFARM_S3_BUCKET" Farm__S3AccessKey="$UPSCALEFARM_S3_ACCESS_KEY" Farm__S3SecretKey="$UPSCALEFARM_S3_SECRET_KEY"
export Farm__Worker__Device=cpu
settings_for() {  # HOST: the farm's dependencies as seen from that address
  export Farm__RabbitMqUrl="amqp://guest:guest@$1:$rabbit_port/$name"
  export Farm__DatabaseConnection="Host=$1;Port=$pg_port;Database=$name;Username=upscalefarm;Password=upscalefarm"
  export Farm__S3ServiceUrl="http://$1:$s3_port"
}
settings_for 127.0.0.1

# One worker lives in its own network namespace, reaching the servers through a veth pair; socat on the
# host side forwards to loopback (so the servers still see a loopback client). Cutting the veth in nftables
# is a real partition: packets vanish, nothing is refused.
ip netns add "$ns"
ip link add "$veth_host" type veth peer name "$veth_ns"
ip link set "$veth_ns" netns "$ns"
ip addr add "$host_ip/30" dev "$veth_host" && ip link set "$veth_host" up
ip -n "$ns" addr add "$ns_ip/30" dev "$veth_ns" && ip -n "$ns" link set "$veth_ns" up && ip -n "$ns" link set lo up
for port in "$rabbit_port" "$pg_port" "$s3_port"; do
  socat "TCP-LISTEN:$port,bind=$host_ip,fork,reuseaddr" "TCP:127.0.0.1:$port" 2>>"$work/socat.log" &
  pid[socat-$port]=$!
done
nft add table inet "$ns"
nft add chain inet "$ns" cut "{ type filter hook input priority -10 ; }"
nft add chain inet "$ns" cut_out "{ type filter hook output priority -10 ; }"

# The assembler's scratch (its DataDirectory) is a tmpfs (room for a --single job's assembly), so a full disk is a real ENOSPC.
mkdir -p "$work/data/assembler-1"
mount -t tmpfs -o size=1g tmpfs "$work/data/assembler-1"

start_role() {  # NAME ROLE [netns]
  local proc="$1" role="$2"
  mkdir -p "$work/data/$proc"
  if [[ "${3:-}" == netns ]]; then
    (settings_for "$host_ip"; Farm__DataDirectory="$work/data/$proc" Farm__InstanceName="$proc" \
      exec ip netns exec "$ns" "$cli" serve --role "$role") >>"$work/$proc.log" 2>&1 &
  else
    (Farm__DataDirectory="$work/data/$proc" Farm__InstanceName="$proc" exec "$cli" serve --role "$role") >>"$work/$proc.log" 2>&1 &
  fi
  pid[$proc]=$!
}
roles=()
for i in $(seq "$replicas"); do roles+=("coordinator-$i:coordinator" "assembler-$i:assembler"); done
roles+=("worker-1:worker" "worker-2:worker")
for entry in "${roles[@]}"; do
  if [[ "${entry%%:*}" == worker-2 ]]; then start_role worker-2 worker netns; else start_role "${entry%%:*}" "${entry#*:}"; fi
done
for entry in "${roles[@]}"; do
  for _ in $(seq 600); do grep -q "Bus started" "$work/${entry%%:*}.log" && break; sleep 0.2; done
  grep -q "Bus started" "$work/${entry%%:*}.log" || { log "${entry%%:*} did not start"; tail -20 "$work/${entry%%:*}.log"; exit 1; }
done
log "farm up: ${#roles[@]} processes ($replicas coordinator(s), $replicas assembler(s), 2 workers, worker-2 in namespace $ns)"

# Jobs: each submitter keeps one job in flight at a time, attached with --wait, until the faults are over.
: >"$work/jobs.tsv"
submitter() {
  local slot="$1" n=0
  while [[ ! -f "$work/stop" ]]; do
    n=$((n + 1))
    local out="$work/out/$slot-$n" t0; t0=$(date +%s.%N)
    mkdir -p "$out"
    local rc=0
    "$cli" farm submit "$source" --model "$model" --tile "$tile" --halo "$halo" --wait -o "$out" >"$out.log" 2>&1 || rc=$?
    local result verdict
    result="$(find "$out" -type f | head -n 1)"
    if ((rc != 0)); then verdict="failed"
    elif [[ -z "$result" ]]; then verdict="no-result"
    elif cmp -s "$result" "$work/reference.png"; then verdict="identical"
    else verdict="differs"; fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$slot-$n" "$t0" "$(date +%s.%N)" "$verdict" "$(head -n 1 "$out.log")" >>"$work/jobs.tsv"
    [[ $verdict == identical ]] || { log "job $slot-$n: $verdict ($(tail -n 1 "$out.log"))"; sleep 1; }
    ((single)) && break
  done
}
for slot in $(seq "$in_flight"); do submitter "s$slot" & echo $! >>"$work/submitters"; sleep 1; done

# The faults. Each row: name, what was done, seconds it lasted.
: >"$work/faults.tsv"
wanted() { [[ -z "$only" || ",$only," == *",$1,"* ]]; }
fault() {  # NAME DESCRIPTION COMMAND...
  local fname="$1" what="$2"; shift 2
  wanted "$fname" || return 0
  local t0; t0=$(date +%s.%N)
  log "fault: $what"
  "$@" || { log "the fault could not be made: $what"; exit 1; }
  printf '%s\t%s\t%s\t%s\n' "$fname" "$what" "$t0" "$(date +%s.%N)" >>"$work/faults.tsv"
  sleep $((quick ? 3 : 10))   # let the farm settle between faults
}
kill_role() { kill -KILL "${pid[$1]}"; wait "${pid[$1]}" 2>/dev/null || true; sleep 2; start_role "$1" "$2" "${3:-}"; }
stop_role() { kill -STOP "${pid[$1]}"; sleep "$hold"; kill -CONT "${pid[$1]}"; }
stop_s3() { scripts/services.sh stop s3; sleep "$outage"; scripts/services.sh start >/dev/null; }
stop_broker() { scripts/services.sh stop rabbitmq; sleep "$outage"; scripts/services.sh start >/dev/null; }
restart_pg() { scripts/services.sh restart-postgres; }
stop_pg() { scripts/services.sh stop postgres; sleep "$hold"; scripts/services.sh start >/dev/null; }
cut_link() {
  nft add rule inet "$ns" cut iifname "$veth_host" drop; nft add rule inet "$ns" cut_out oifname "$veth_host" drop
  sleep "$outage"; nft flush chain inet "$ns" cut; nft flush chain inet "$ns" cut_out
}
fill_scratch() {
  dd if=/dev/zero of="$work/data/assembler-1/fill" bs=1M status=none 2>/dev/null || true
  sleep "$hold"; rm -f "$work/data/assembler-1/fill"
}
sleep $((quick ? 8 : 15))   # jobs under way
fault kill-worker "SIGKILL worker-1 (restarted 2 s later)" kill_role worker-1 worker
fault kill-coordinator "SIGKILL coordinator-1 (restarted 2 s later)" kill_role coordinator-1 coordinator
fault kill-assembler "SIGKILL assembler-1 (restarted 2 s later)" kill_role assembler-1 assembler
fault hang-worker "SIGSTOP worker-1 for $hold s" stop_role worker-1
fault storage "object store (s3rver) stopped for $outage s" stop_s3
fault broker "RabbitMQ stopped for $outage s" stop_broker
fault restart-db "PostgreSQL restarted (fast: connections cut)" restart_pg
fault stop-db "PostgreSQL stopped for $hold s" stop_pg
fault partition "worker-2's network cut (nftables drop) for $outage s" cut_link
fault disk-full "assembler-1's scratch tmpfs filled for $hold s" fill_scratch
log "faults over; waiting for the jobs in flight"
touch "$work/stop"
deadline=$(($(date +%s) + 900))
for p in $(cat "$work/submitters"); do
  while kill -0 "$p" 2>/dev/null && (($(date +%s) < deadline)); do sleep 1; done
  kill -0 "$p" 2>/dev/null && { log "a job is still running 15 min after the last fault: stuck"; keep=1; exit 1; }
done

# The report.
total=$(wc -l <"$work/jobs.tsv")
identical=$(awk -F'\t' '$4 == "identical"' "$work/jobs.tsv" | wc -l)
rerun=$(PGPASSWORD=upscalefarm psql -h 127.0.0.1 -p "$pg_port" -U upscalefarm -d "$name" -tAc "SELECT coalesce(sum(greatest(attempts - 1, 0)), 0) || ' of ' || count(*) FROM tiles")
echo
echo "| fault | jobs in flight | their results | longest of those jobs |"
echo "|---|---|---|---|"
while IFS=$'\t' read -r fname what f0 f1; do
  awk -F'\t' -v a="$f0" -v b="$f1" -v what="$what" '
    $2 <= b && $3 >= a { n++; if ($4 == "identical") ok++; w = $3 - $2; if (w > longest) longest = w }
    END { printf "| %s | %d | %d identical, %d not | %.0f s |\n", what, n, ok, n - ok, longest }' "$work/jobs.tsv"
done <"$work/faults.tsv"
echo
echo "jobs: $total submitted with --wait, $identical byte-identical to upscale ($model, tile $tile, halo $halo, $(basename "$source"));" \
     "tiles re-run: $rerun; run: $(($(date +%s) - started)) s; logs: $work"
if ((identical != total || total == 0)); then keep=1; exit 1; fi
