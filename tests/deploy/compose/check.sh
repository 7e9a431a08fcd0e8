#!/usr/bin/env bash
# Checks the Docker Compose deployment (docker-compose.yml and deploy/) with the real tools that run
# without Docker: every YAML file parses; dclint validates docker-compose.yml against the Compose
# specification and the rules in dclint.config.json; the Dockerfiles are linted and copy only files
# that exist (and that the .dockerignore keeps); compose, the collector, Prometheus and Grafana agree
# on names, hosts and ports; the dashboards query only metrics the services export; and their SQL
# runs against the job store's real schema on a throwaway PostgreSQL, when one is installed.
#
#   tests/deploy/compose/check.sh          (from any folder; exits non-zero if any check fails)
#
# The tools (versions pinned by package-lock.json beside this script) are installed into
# .tools/deploy-check of the repository, the first time or when the lock file changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tools="$root/.tools/deploy-check"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

echo "== tools"
command -v node >/dev/null && command -v npm >/dev/null || { echo "check.sh: node and npm are required (Debian: apt-get install nodejs npm)" >&2; exit 2; }
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
  || { echo "check.sh: dclint needs Node.js 20.19 or newer (this is $(node --version))" >&2; exit 2; }
if ! cmp -s "$here/package-lock.json" "$tools/package-lock.json" || [[ ! -x "$tools/node_modules/.bin/dclint" ]]; then
  echo "installing into ${tools#"$root"/}: $(node -p 'Object.entries(require(process.argv[1]).dependencies).map(([n, v]) => n + "@" + v).join(" ")' "$here/package.json")"
  rm -rf "$tools" && mkdir -p "$tools"
  cp "$here/package.json" "$here/package-lock.json" "$tools/"
  npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error >/dev/null
fi
echo "node $(node --version), dclint $("$tools/node_modules/.bin/dclint" --version)"

work="$(mktemp -d)"
pg_pid_dir=""
cleanup() {
  if [[ -n "$pg_pid_dir" && -f "$pg_pid_dir/data/postmaster.pid" ]]; then
    as_pg "'$pg_bin/pg_ctl' -D '$pg_pid_dir/data' -m immediate stop" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo
echo "== YAML, compose references, Dockerfiles, collector, Prometheus, Grafana (checks.mjs)"
set +e
DEPLOY_CHECK_TOOLS="$tools" node "$here/checks.mjs" "$root" --sql-out "$work/sql" | tee "$work/checks.log"
set -e
summary="$(tail -n 1 "$work/checks.log")"
if [[ "$summary" =~ ^checks\.mjs:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
else
  fail "checks.mjs did not finish"
fi

echo
echo "== SeaweedFS scripts (deploy/seaweedfs) with a stand-in weed: identities file, bucket creation"
# start.sh: the identities it writes are exactly compose's three roles, each limited to the bucket.
store_env="$(node -e '
  const YAML = require(process.argv[1] + "/node_modules/yaml");
  const env = YAML.parse(require("fs").readFileSync(process.argv[2], "utf8")).services.seaweedfs.environment;
  for (const [k, v] of Object.entries(env)) console.log(k + "=" + String(v).replace(/^\$\{(\w+):\?.*\}$/, "check-$1"));
' "$tools" "$root/docker-compose.yml")"
mkdir -p "$work/weed"
printf '#!/bin/sh\necho "$*" >"%s/weed/args"\n' "$work" >"$work/weed/weed" && chmod +x "$work/weed/weed"
if env -i PATH="$PATH" $store_env SEAWEEDFS_S3_CONFIG="$work/weed/s3.json" WEED="$work/weed/weed" sh "$root/deploy/seaweedfs/start.sh" \
  && node -e '
    const fs = require("fs"); const [file, argsFile, envText] = process.argv.slice(1);
    const env = Object.fromEntries(envText.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    const ids = JSON.parse(fs.readFileSync(file, "utf8")).identities;
    const want = ["API", "FARM", "WORKER"].map((r) => [env[`S3_${r}_ACCESS_KEY`], env[`S3_${r}_SECRET_KEY`]]);
    const got = ids.map((i) => [i.credentials[0].accessKey, i.credentials[0].secretKey]);
    const b = env.S3_BUCKET; const problems = [];
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push("keys " + JSON.stringify(got));
    for (const i of ids) if (JSON.stringify(i.actions) !== JSON.stringify([`Read:${b}`, `Write:${b}`, `List:${b}`])) problems.push(i.name + " may " + i.actions);
    if ((fs.statSync(file).mode & 0o077) !== 0) problems.push("the file is readable by others");
    const args = fs.readFileSync(argsFile, "utf8");
    if (!args.includes("-s3.config=" + file) || !args.includes("-s3.port=8333")) problems.push("weed was not started on it: " + args);
    if (!args.includes("-master.telemetry=false")) problems.push("SeaweedFS would report usage to telemetry.seaweedfs.com: " + args);
    if (problems.length) { console.error(problems.join("\n")); process.exit(1); }
  ' "$work/weed/s3.json" "$work/weed/args" "$store_env"; then
  pass "seaweedfs start.sh: three role identities from compose's environment, each Read/Write/List on the bucket only, file mode 600; no usage telemetry"
else
  fail "seaweedfs start.sh: identities file"
fi
if out="$(env -i PATH="$PATH" $store_env S3_WORKER_SECRET_KEY='a"b' SEAWEEDFS_S3_CONFIG="$work/weed/bad.json" WEED=false sh "$root/deploy/seaweedfs/start.sh" 2>&1)"; then
  fail "seaweedfs start.sh accepted a key that needs quoting in JSON"
elif [[ "$out" == *"S3_WORKER_SECRET_KEY must be set"* && ! -e "$work/weed/bad.json" ]]; then
  pass "seaweedfs start.sh refuses a key with a quote, before writing anything"
else
  fail "seaweedfs start.sh failed otherwise on a bad key: $out"
fi
# init.sh: a stand-in weed shell that keeps its buckets in a file and ignores its exit status as the
# real one does; the bucket is made once, a second run leaves it, and a store that never lists it fails.
cat >"$work/weed/shell-weed" <<'WEED'
#!/bin/sh
read -r line
case "$line" in
  s3.bucket.list) cat "$WEED_STATE" 2>/dev/null ;;
  "s3.bucket.create -name "*) [ -n "${WEED_BROKEN:-}" ] || echo "  ${line##* }	size:0	chunk:0" >>"$WEED_STATE"; echo "$line" >>"$WEED_STATE.creates" ;;
esac
exit 0
WEED
mkdir -p "$work/weed/bin" && cp "$work/weed/shell-weed" "$work/weed/bin/weed" && chmod +x "$work/weed/bin/weed"
init=(env PATH="$work/weed/bin:$PATH" TMPDIR="$work/weed" WEED_STATE="$work/weed/state" S3_BUCKET=upscalefarm SEAWEEDFS_INIT_DELAY=0 sh "$root/deploy/seaweedfs/init.sh")
if "${init[@]}" >/dev/null && "${init[@]}" >/dev/null && [[ "$(wc -l <"$work/weed/state.creates")" -eq 1 ]] \
  && ! env WEED_BROKEN=1 SEAWEEDFS_INIT_ATTEMPTS=3 "${init[@]/WEED_STATE=*/WEED_STATE=$work/weed/none}" >/dev/null 2>&1; then
  pass "seaweedfs init.sh: makes the bucket once, keeps it on a re-run, gives up (exit 1) when it never appears"
else
  fail "seaweedfs init.sh"
fi

echo
echo "== deploy/prometheus/prometheus.yml (promtool check config)"
if promtool="$(bash "$root/tests/deploy/install-promtool.sh")" && "$promtool" check config "$root/deploy/prometheus/prometheus.yml"; then
  pass "promtool: deploy/prometheus/prometheus.yml is a valid Prometheus configuration"
else
  fail "promtool check config deploy/prometheus/prometheus.yml"
fi

echo
echo "== dclint (Compose specification schema + rules in tests/deploy/compose/dclint.config.json)"
if (cd "$root" && "$tools/node_modules/.bin/dclint" --config "$here/dclint.config.json" --max-warnings 0 --no-color docker-compose.yml); then
  pass "dclint docker-compose.yml"
else
  fail "dclint docker-compose.yml"
fi

echo
echo "== PostgreSQL roles and grants, and the job drill-down's SQL as grafana_reader, on the job store schema (throwaway PostgreSQL)"
# PostgreSQL refuses to run as root: as root, the throwaway cluster belongs to the postgres user.
as_pg() { if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
pg_bin="$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname)"
sql_checked=false
if [[ -z "$pg_bin" ]]; then
  echo "(skipped: no PostgreSQL server binaries; scripts/services.sh installs them)"
elif [[ ! -f "$work/sql/schema.sql" ]]; then
  fail "dashboard SQL: the job store schema could not be read (see above)"
else
  pg_pid_dir="$work/pg"
  mkdir -p "$pg_pid_dir"
  [[ $(id -u) -eq 0 ]] && chown -R postgres "$work" && chmod 755 "$work"
  psql=("$pg_bin/psql" -h "$pg_pid_dir" -p 54329 -X -q -v ON_ERROR_STOP=1)
  if as_pg "'$pg_bin/initdb' -D '$pg_pid_dir/data' -U postgres --auth=trust" >"$work/pg.log" 2>&1 \
    && as_pg "'$pg_bin/pg_ctl' -D '$pg_pid_dir/data' -l '$pg_pid_dir/log' -w -o \"-p 54329 -k '$pg_pid_dir' -c listen_addresses=''\" start" >>"$work/pg.log" 2>&1; then
    # As docker-compose.yml sets it up: the image's superuser postgres runs deploy/postgres/initdb (the
    # farm's role and database, Grafana's role) with the passwords in its environment; the farm creates
    # its tables as upscalefarm; postgres-grants (deploy/postgres/grants/wait-and-grant.sh) then gives
    # grafana_reader its columns.
    export POSTGRES_FARM_PASSWORD=check-farm POSTGRES_GRAFANA_PASSWORD=check-grafana
    init_ok=true
    for f in "$root"/deploy/postgres/initdb/*.sql; do
      if "${psql[@]}" -U postgres -d postgres -f "$f"; then pass "postgres init script ${f#"$root"/}"; else fail "postgres init script ${f#"$root"/}"; init_ok=false; fi
    done
    if $init_ok && [[ "$("${psql[@]}" -U postgres -d postgres -tAc "SELECT string_agg(rolname || ':' || rolsuper::text || rolcreaterole::text || rolcreatedb::text || rolbypassrls::text, ' ' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('upscalefarm', 'grafana_reader')")" == "grafana_reader:falsefalsefalsefalse upscalefarm:falsefalsefalsefalse" ]] \
      && [[ "$("${psql[@]}" -U postgres -d postgres -tAc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'upscalefarm'")" == upscalefarm ]]; then
      pass "postgres roles: upscalefarm owns the job store and, like grafana_reader, is no superuser and cannot create roles or databases"
    else
      fail "postgres roles: upscalefarm and grafana_reader missing, privileged, or upscalefarm does not own the database"
    fi
    if "${psql[@]}" -U upscalefarm -d upscalefarm -f "$work/sql/schema.sql" && $init_ok; then
      # Twice: the grants are idempotent (a restarted postgres-grants runs them again).
      grants=(env PATH="$pg_bin:$PATH" PGHOST="$pg_pid_dir" PGPORT=54329 PGUSER=postgres PGDATABASE=upscalefarm timeout 60 sh "$root/deploy/postgres/grants/wait-and-grant.sh")
      if out="$("${grants[@]}" 2>&1 && "${grants[@]}" 2>&1)"; then
        pass "postgres-grants (deploy/postgres/grants/wait-and-grant.sh) finds the farm's tables and grants, twice"
      else
        fail "postgres-grants (deploy/postgres/grants/wait-and-grant.sh)"; echo "$out" | sed 's/^/     /'
      fi
      for q in "$work"/sql/queries/*.sql; do
        # Run as Grafana's read-only role: the query must be valid and the role allowed to read.
        if out="$("${psql[@]}" -U grafana_reader -d upscalefarm -f "$q" 2>&1)"; then
          pass "dashboard SQL as grafana_reader: $(head -n 1 "$q" | sed 's/^-- //')"
        else
          fail "dashboard SQL as grafana_reader: $(head -n 1 "$q" | sed 's/^-- //')"; echo "     $out"
        fi
      done
      # What grafana_reader must not read or do: a tenant's payload (webhook URLs, idempotency keys,
      # object keys, file names, error texts, trace context), whole rows, and any write.
      denied_ok=true
      for stmt in "SELECT webhook_url FROM jobs" "SELECT idempotency_key FROM jobs" "SELECT error FROM jobs" \
        "SELECT video_key FROM jobs" "SELECT result_key FROM jobs" "SELECT trace_parent FROM jobs" "SELECT * FROM jobs" \
        "SELECT source_key FROM frames" "SELECT name FROM frames" "SELECT job_id FROM frames" "SELECT * FROM tiles" \
        "UPDATE tiles SET worker = NULL" "DELETE FROM jobs" "INSERT INTO jobs (id) VALUES ('x')" "CREATE TABLE grafana_owned (x int)"; do
        out="$("${psql[@]}" -U grafana_reader -d upscalefarm -c "$stmt" 2>&1)" && { denied_ok=false; echo "     allowed: $stmt"; continue; }
        [[ "$out" == *"permission denied"* ]] || { denied_ok=false; echo "     failed otherwise than permission denied: $stmt: $out"; }
      done
      if $denied_ok; then pass "grafana_reader is refused the tenant payload columns, whole rows and writes"; else fail "grafana_reader may read or change more than the dashboards' columns"; fi
      # Nobody but the two roles (and the superuser) may connect to the job store.
      "${psql[@]}" -U postgres -d postgres -c "CREATE ROLE check_outsider LOGIN" >/dev/null
      if out="$("${psql[@]}" -U check_outsider -d upscalefarm -c "SELECT 1" 2>&1)"; then fail "a role with no grants may connect to the job store"
      elif [[ "$out" == *"permission denied for database"* ]]; then pass "a role with no grants may not connect to the job store"
      else fail "connecting as a role with no grants failed otherwise: $out"; fi
      sql_checked=true
    else
      fail "job store schema from Schema.cs does not load into PostgreSQL"
    fi
  else
    fail "throwaway PostgreSQL did not start"; cat "$work/pg.log"
  fi
fi

echo
echo "== not checked here (no Docker engine, no GPU, no network beyond package registries)"
cat <<'EOF'
- the images are neither pulled nor built: their tags (sdk/aspnet/runtime 10.0-noble,
  nvidia/cuda 13.0.2-cudnn-runtime-ubuntu24.04, rabbitmq 4.1.4-management, postgres 17.6,
  chrislusf/seaweedfs 4.47, otel collector-contrib 0.148.0, jaeger 2.11.0, prometheus v3.7.3,
  grafana 12.2.1) are taken from their publishers' release notes and public use, not resolved
  against a registry (the images check above only refuses gone repositories and moving tags);
- `dotnet publish` and `models fetch` inside the Dockerfiles, apt packages (ffmpeg, nodejs, npm,
  curl) on Ubuntu 24.04, and the non-root user's access to /app and /var/lib/upscalefarm;
- no container is started: healthchecks, depends_on ordering, SeaweedFS reading the S3 identities
  deploy/seaweedfs/start.sh writes and seaweedfs-init's bucket (weed shell), the farm's RabbitMQ user made by rabbitmq-init (rabbitmqadmin v2), RabbitMQ's plugins, the collector and Jaeger accepting the configs, Grafana loading the
  provisioning and rendering the dashboards, Prometheus scraping its targets;
- the GPU reservation (deploy.resources.reservations.devices) being honoured, the NVIDIA
  Container Toolkit, and ONNX Runtime's CUDA provider finding CUDA 13 / cuDNN 9 in the image;
- that the services export the metric names the dashboards use (the dashboards are checked
  against the documented list in checks.mjs; the farm's tests check the exporter side).
EOF
$sql_checked || echo "- the drill-down's SQL (no PostgreSQL server here)"

echo
echo "deploy checks: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
