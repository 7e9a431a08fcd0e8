#!/usr/bin/env bash
# The job API under load: the API with its embedded farm (in-memory transport, SQLite, a directory)
# on loopback, four tenants, and `upscalefarm-bench api` submitting JOBS small images at once while
# timing status calls, then checking that no tenant can read another's jobs.
#   scripts/bench-api.sh [JOBS] [SIZE]      e.g. scripts/bench-api.sh 200 64x48
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${1:-200}"
size="${2:-64x48}"
cd "$root"
work="$(mktemp -d "${TMPDIR:-/tmp}/upscalefarm-api-bench-XXXXXX")"
api_pid=""
cleanup() { [[ -n $api_pid ]] && kill "$api_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

./upscalefarm-bench --help >/dev/null   # builds the benchmarks (and the CLI they load the API with)
dotnet build src/UpscaleFarm.Api -c Release --nologo -v quiet -clp:ErrorsOnly
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
keys=()
for i in 0 1 2 3; do
  key="$(openssl rand -hex 32)"
  keys+=("$key")
  export "Api__Tenants__${i}__Name=tenant-$i" "Api__Tenants__${i}__KeySha256=$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
  export "Api__Tenants__${i}__MaxConcurrentJobs=$jobs" "Api__Tenants__${i}__RequestsPerSecond=100000" "Api__Tenants__${i}__RequestBurst=100000"  # the load is the point, not the rate limit
done
Farm__DataDirectory="$work/farm" Farm__ModelsDirectory="$root/models" Logging__LogLevel__Default=Warning \
  dotnet src/UpscaleFarm.Api/bin/Release/net10.0/linux-x64/UpscaleFarm.Api.dll --urls "http://127.0.0.1:$port" >"$work/api.log" 2>&1 &
api_pid=$!
until curl -sf "http://127.0.0.1:$port/health/live" >/dev/null; do sleep 0.2; done

./upscalefarm-bench api --api "http://127.0.0.1:$port" --keys "${keys[@]}" --jobs "$jobs" --size "$size"
