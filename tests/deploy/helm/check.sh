#!/usr/bin/env bash
# Checks the Helm chart helm/upscalefarm without a cluster and without a helm binary (see README.md here):
#   1. static: the YAML and JSON files parse; every .Values path a template names exists; every named
#      template is defined;
#   2. values: values.schema.json is a valid strict draft-07 schema; values.yaml and every example here
#      (coalesced with the defaults, as Helm validates them) pass it with ajv-cli; invalid-values.yaml fails;
#   3. rendering: every example is rendered without and with the CRDs' APIs (KEDA's keda.sh/v1alpha1, the
#      Prometheus Operator's monitoring.coreos.com/v1, the Gateway API's gateway.networking.k8s.io/v1) by
#      render/ (Go text/template + Sprig, Helm's engine; --strict) and every object is checked by
#      check-rendered.mjs (Kubernetes API shapes, the CRDs' schemas, wiring, the chart's promises, the
#      alerts' metric names, the NetworkPolicies evaluated against the pods); the chart's Grafana
#      dashboards are compose's, byte for byte;
#   4. the checks fail when they should: invalid values, a dispatch window too small for KEDA, a template
#      that names a misspelt values key, an API pod that reads SeaweedFS's identities file, pods without a
#      seccomp profile or allowing privilege escalation (Pod Security "restricted"), a worker whose egress
#      is opened, an alert that names a metric nothing exports.
# Tools are installed under .tools/helm-check of this clone when missing: npm packages pinned by
# package-lock.json, and Go 1.19 with Sprig and friends from Debian's packages (apt-get download, pinned
# versions, unpacked there; apt-get update runs first when apt's lists lack them).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
chart="$repo/helm/upscalefarm"
tools="$repo/.tools/helm-check"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

say() { printf '\n== %s\n' "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
debs=(
  golang-1.19-go=1.19.8-2
  golang-1.19-src=1.19.8-2
  golang-github-masterminds-sprig-dev=3.2.3-5
  golang-github-masterminds-semver-dev=3.2.0-1
  golang-github-masterminds-goutils-dev=1.1.1-4
  golang-github-ghodss-yaml-dev=1.0.0+git20220118.d8423dc-2
  golang-gopkg-yaml.v2-dev=2.4.0-4
  golang-github-google-uuid-dev=1.3.0-1
  golang-github-huandu-xstrings-dev=1.3.3-1
  golang-github-imdario-mergo-dev=0.3.12-1
  golang-github-mitchellh-copystructure-dev=1.2.0-1
  golang-github-mitchellh-reflectwalk-dev=1.0.1-1
  golang-github-shopspring-decimal-dev=1.2.0-2
  golang-github-spf13-cast-dev=1.5.0-2
  golang-golang-x-crypto-dev=1:0.4.0-1
  golang-github-xeipuuv-gojsonschema-dev=1.2.0-3
  golang-github-xeipuuv-gojsonreference-dev=0.0~git20180127.bd5ef7b-3
  golang-github-xeipuuv-gojsonpointer-dev=0.0~git20190905.02993c4-3
)
debroot="$tools/debroot"
go="$debroot/usr/lib/go-1.19/bin/go"

install_go() {
  local stamp="$debroot/.installed" want
  want="$(printf '%s\n' "${debs[@]}" | sha256sum | cut -d' ' -f1)"
  if [[ -x "$go" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  echo "installing Go 1.19, Sprig and their dependencies from Debian's packages into $debroot"
  if ! apt-cache show "${debs[0]}" >/dev/null 2>&1; then apt-get update -qq; fi
  rm -rf "$debroot" "$tools/debs"
  mkdir -p "$tools/debs" "$debroot"
  (cd "$tools/debs" && apt-get download -qq "${debs[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  local n=0
  for f in "$tools/debs"/*.deb; do dpkg-deb -x "$f" "$debroot"; n=$((n + 1)); done
  [[ $n -eq ${#debs[@]} ]] || die "expected ${#debs[@]} Debian packages, got $n"
  rm -rf "$tools/debs"
  echo "$want" >"$stamp"
}

build_renderer() {
  local src="$here/render/main.go" bin="$tools/bin/render" want
  want="$(cat "$src" "$debroot/.installed" | sha256sum | cut -d' ' -f1)"
  if [[ -x "$bin" && -f "$bin.stamp" && "$(cat "$bin.stamp")" == "$want" ]]; then return; fi
  echo "building the renderer (render/main.go)"
  mkdir -p "$tools/bin" "$tools/gocache"
  GOROOT="$debroot/usr/lib/go-1.19" GOPATH="$debroot/usr/share/gocode" GO111MODULE=off GOFLAGS= \
    GOCACHE="$tools/gocache" CGO_ENABLED=0 GOTOOLCHAIN=local "$go" build -o "$bin" "$src"
  echo "$want" >"$bin.stamp"
}

install_node_tools() {
  local dir="$tools/node" want
  want="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [[ -d "$dir/node_modules" && -f "$dir/.installed" && "$(cat "$dir/.installed")" == "$want" ]]; then return; fi
  echo "installing the npm tools (package-lock.json) into $dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$here/package.json" "$here/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$want" >"$dir/.installed"
}

say "tools"
command -v node >/dev/null || die "node is required"
command -v python3 >/dev/null && python3 -c 'import yaml' || die "python3 with PyYAML is required"
install_node_tools
install_go
build_renderer
render="$tools/bin/render"
ajv="$tools/node/node_modules/.bin/ajv"
export HELM_CHECK_NODE_MODULES="$tools/node/node_modules"
echo "node $(node --version), $("$go" version | cut -d' ' -f3), renderer $render"

# ---------------------------------------------------------------- 1. static
say "1. YAML/JSON parse, values paths and named templates"
python3 "$here/static_checks.py" "$chart" "$here"
# Helm's .Files cannot read outside the chart: its dashboards are symbolic links to compose's, one file each.
for f in "$chart"/dashboards/*.json; do
  [[ -L "$f" && "$(readlink "$f")" == "../../../deploy/grafana/dashboards/$(basename "$f")" && -f "$f" ]] ||
    die "helm/upscalefarm/dashboards/$(basename "$f") is not a link to deploy/grafana/dashboards/$(basename "$f") (ln -sf ../../../deploy/grafana/dashboards/$(basename "$f") helm/upscalefarm/dashboards/)"
done
echo "the chart's dashboards ($(cd "$chart/dashboards" && echo *.json)) are links to deploy/grafana/dashboards"

# ---------------------------------------------------------------- 2. values schema
say "2. values.schema.json (ajv-cli, draft-07, strict)"
ajv_validate() { "$ajv" validate --spec=draft7 --strict=true --all-errors --errors=line -c ajv-formats -s "$chart/values.schema.json" -d "$1"; }
"$ajv" compile --spec=draft7 --strict=true -c ajv-formats -s "$chart/values.schema.json"
python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], "w"))' \
  "$chart/values.yaml" "$work/values.yaml.json"
ajv_validate "$work/values.yaml.json"
# Helm validates the values after coalescing the -f files with values.yaml; so does this check.
examples=("$here"/values-*.yaml)
[[ ${#examples[@]} -ge 3 ]] || die "expected at least 3 examples (values-*.yaml), found ${#examples[@]}"
for f in "${examples[@]}"; do
  name="$(basename "$f" .yaml)"
  "$render" --chart "$chart" -f "$f" --values-out "$work/$name.values.json" >/dev/null
  ajv_validate "$work/$name.values.json" | sed "s|$work/||"
done
# The deliberately invalid file must be rejected, by ajv and by the renderer's own (Helm's) schema check.
"$render" --chart "$chart" -f "$here/invalid-values.yaml" --values-out "$work/invalid.values.json" >/dev/null 2>"$work/invalid.err" &&
  die "the renderer accepted invalid-values.yaml"
grep -q "values don't meet the specifications of the schema" "$work/invalid.err" || { cat "$work/invalid.err"; die "invalid-values.yaml failed for another reason"; }
if ajv_validate "$work/invalid.values.json" >"$work/invalid.ajv" 2>&1; then die "ajv accepted invalid-values.yaml"; fi
for expected in runtimeClasName gpu.device terminationGracePeriodSeconds minReplicas imagePullSecrets.0 api.extraVolumes.0; do
  grep -q "$expected" "$work/invalid.ajv" && grep -q "$expected" "$work/invalid.err" || { cat "$work/invalid.ajv" "$work/invalid.err"; die "invalid-values.yaml: no error about $expected"; }
done
echo "invalid-values.yaml rejected by ajv and by the renderer ($(grep -c '^- ' "$work/invalid.err") schema errors: a misspelt key, an unknown device, a grace period below 61 s, a negative minimum, a pull secret name with a newline, an nfs volume)"

# ---------------------------------------------------------------- 3. rendering
say "3. render every example without and with the CRDs' APIs (strict) and check the objects"
# "KEDA API yes" renders with every CRD API the chart can use: KEDA, the Prometheus Operator, the Gateway API.
crd_apis=(keda.sh/v1alpha1 monitoring.coreos.com/v1 gateway.networking.k8s.io/v1)
for f in "${examples[@]}"; do
  name="$(basename "$f" .yaml)"
  for keda in no yes; do
    flags=()
    apis=""
    [[ $keda == yes ]] && { for a in "${crd_apis[@]}"; do flags+=(--api-versions "$a"); done; apis="$(IFS=,; echo "${crd_apis[*]}")"; }
    out="$work/$name-keda-$keda"
    "$render" --chart "$chart" --strict -f "$f" "${flags[@]}" --values-out "$out.values.json" --notes-out "$out.notes" >"$out.yaml" ||
      die "rendering $name (KEDA API: $keda) failed"
    [[ -s "$out.notes" ]] || die "$name: NOTES.txt rendered empty"
    mode="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["worker"]["autoscaling"]["mode"])' "$out.values.json")"
    expected="$mode"
    [[ $mode == auto ]] && { [[ $keda == yes ]] && expected=keda || expected=hpa; }
    node "$here/check-rendered.mjs" --manifests "$out.yaml" --values "$out.values.json" --autoscaler "$expected" \
      --api-versions "$apis" --label "$name, KEDA API $keda, autoscaler $expected"
  done
done

# ---------------------------------------------------------------- 4. the checks fail when they should
say "4. negative checks"
for keda in no yes; do
  flags=()
  [[ $keda == yes ]] && flags=(--api-versions keda.sh/v1alpha1)
  if "$render" --chart "$chart" -f "$here/invalid-window.yaml" "${flags[@]}" >/dev/null 2>"$work/window.err"; then
    die "invalid-window.yaml rendered: a dispatch window below maxReplicas × tilesPerReplica must fail with KEDA"
  fi
  grep -q "coordinator.dispatchWindow (256) is below worker.autoscaling.maxReplicas × tilesPerReplica (512)" "$work/window.err" ||
    { cat "$work/window.err"; die "invalid-window.yaml failed for another reason"; }
done
echo "invalid-window.yaml: rendering fails (dispatch window 256 < 64 × 8)"
# A template that names a misspelt values key: strict rendering and the static check must both fail.
cp -rL "$chart" "$work/chart"
sed -i 's/\.Values\.worker\.terminationGracePeriodSeconds/.Values.worker.terminationGracePeriodSecond/; s/\$w\.terminationGracePeriodSeconds/$w.terminationGracePeriodSecond/' \
  "$work/chart/templates/deployment-worker.yaml"
grep -q terminationGracePeriodSecond\) "$work/chart/templates/deployment-worker.yaml" || die "the mutation did not apply"
if "$render" --chart "$work/chart" --strict >/dev/null 2>"$work/typo.err"; then die "strict rendering accepted a misspelt values key"; fi
grep -q 'map has no entry for key "terminationGracePeriodSecond"' "$work/typo.err" || { cat "$work/typo.err"; die "strict rendering failed for another reason"; }
if python3 "$here/static_checks.py" "$work/chart" "$here" 2>"$work/typo-static.err"; then die "the static check accepted a misspelt values key"; fi
grep -q "no key 'terminationGracePeriodSecond'" "$work/typo-static.err" || { cat "$work/typo-static.err"; die "the static check failed for another reason"; }
echo "a misspelt values key in a template: strict rendering and the static check both fail"
# Without --strict the same typo renders (Helm's default missingkey=zero): the rendered-object checks catch it.
"$render" --chart "$work/chart" --api-versions keda.sh/v1alpha1 --values-out "$work/typo.values.json" >"$work/typo.yaml"
if node "$here/check-rendered.mjs" --manifests "$work/typo.yaml" --values "$work/typo.values.json" --autoscaler keda --label typo >/dev/null 2>"$work/typo-objects.err"; then
  die "the rendered-object checks accepted a worker without terminationGracePeriodSeconds"
fi
grep -q "terminationGracePeriodSeconds" "$work/typo-objects.err" || { cat "$work/typo-objects.err"; die "the object checks failed for another reason"; }
echo "the same typo rendered without --strict: the object checks fail on the worker's grace period"

# must_fail LABEL FILE SED APPLIED EXPECTED DONE [RENDER ARGS...]: a copy of the chart with one mutation (sed
# expression SED on FILE, which must then contain APPLIED, or not contain it when APPLIED starts with "!")
# must fail the rendered-object checks, and for the expected reason: the error output must match every
# pattern of EXPECTED (separated by " && "). DONE is said when it does.
must_fail() {
  local label="$1" file="$2" sed_expr="$3" applied="$4" expected="$5" done="$6" pattern
  shift 6
  rm -rf "$work/chart" && cp -rL "$chart" "$work/chart"
  sed -i "$sed_expr" "$work/chart/$file"
  if [[ "$applied" == !* ]]; then ! grep -q -- "${applied#!}" "$work/chart/$file"; else grep -q -- "$applied" "$work/chart/$file"; fi ||
    die "$label: the mutation did not apply"
  "$render" --chart "$work/chart" --strict "$@" --values-out "$work/$label.values.json" >"$work/$label.yaml"
  if node "$here/check-rendered.mjs" --manifests "$work/$label.yaml" --values "$work/$label.values.json" --autoscaler hpa --label "$label" >/dev/null 2>"$work/$label.err"; then
    die "$label: the rendered-object checks accepted it"
  fi
  while IFS= read -r pattern; do
    grep -q -- "$pattern" "$work/$label.err" || { cat "$work/$label.err"; die "$label: the object checks failed for another reason"; }
  done < <(printf '%s\n' "${expected// && /$'\n'}")
  echo "$done"
}

# Least privilege: an API pod that reads SeaweedFS's identities file (every role's S3 key) instead of its own.
must_fail identities-key templates/_helpers.tpl \
  's/"key" (printf "s3-%s-access-key" $s3)/"key" (ternary "seaweedfs-s3-config" (printf "s3-%s-access-key" $s3) (eq .role "api"))/' \
  '"seaweedfs-s3-config" (printf "s3-%s-access-key"' \
  "(api) reads Secret keys .*not its own: seaweedfs-s3-config" \
  "an API pod reading SeaweedFS's identities file (seaweedfs-s3-config): the object checks fail on the API's Secret keys"

# Pod Security "restricted": pods without a seccomp profile, and containers that may escalate privileges.
must_fail no-seccomp templates/_pod.tpl '/^seccompProfile:$/,/^  type: RuntimeDefault$/d' '!seccompProfile:' \
  "StatefulSet/[a-z-]*-seaweedfs: spec.containers\[0\] (seaweedfs).securityContext.seccompProfile.type: must be RuntimeDefault or Localhost" \
  "bundled services without a seccomp profile: the object checks fail on seccompProfile (restricted)"
must_fail escalation values.yaml 's/^  allowPrivilegeEscalation: false$/  allowPrivilegeEscalation: true/' '^  allowPrivilegeEscalation: true$' \
  "Deployment/[a-z-]*-api: spec.containers\[0\] (api).securityContext.allowPrivilegeEscalation: must be false, is true" \
  "UpscaleFarm containers with allowPrivilegeEscalation true: the object checks fail on allowPrivilegeEscalation (restricted)"

# NetworkPolicies: workers that may send anywhere (an empty egress rule added to theirs).
must_fail open-egress templates/networkpolicy.yaml \
  's/(dict "component" . "ingress" $metrics "egress" $farmEgress)/(dict "component" . "ingress" $metrics "egress" (ternary (append $farmEgress dict) $farmEgress (eq . "worker")))/' \
  'append $farmEgress dict' \
  "NetworkPolicy: a worker may reach .*a public IPv4 address.*cloud metadata && NetworkPolicy egress: Deployment/[a-z-]*-worker may send to" \
  "workers whose egress is open: the NetworkPolicy checks fail (a worker may reach public addresses, cloud metadata, …)"

# Alerts name only exported metrics: an expression with a metric nothing exports.
must_fail unknown-metric templates/prometheusrule.yaml 's/max(upscalefarm_outbox_oldest_age_seconds)/max(upscalefarm_outbox_oldest_age)/' \
  'max(upscalefarm_outbox_oldest_age)' \
  "alert UpscaleFarmMessagesNotLeaving: unknown metric upscalefarm_outbox_oldest_age " \
  "an alert on upscalefarm_outbox_oldest_age (not exported): the object checks fail, naming it" \
  -f "$here/values-monitoring.yaml"

# ---------------------------------------------------------------- 5. the alerts, with promtool
say "5. the PrometheusRule's alerts: promtool check rules, and unit tests (alerts.test.yaml)"
promtool="$(bash "$repo/tests/deploy/install-promtool.sh")"
echo "$("$promtool" --version 2>&1 | head -n 1)"
# The rules as rendered with alerts-values.yaml (default thresholds, GPU workers, at most 2), without their
# annotations: the unit tests are about when each alert fires; check-monitoring.mjs checks the annotations.
mkdir -p "$work/alerts"
"$render" --chart "$chart" --strict -f "$here/alerts-values.yaml" >"$work/alerts/manifests.yaml"
node -e '
  const fs = require("fs"); const YAML = require(process.env.HELM_CHECK_NODE_MODULES + "/yaml");
  const rule = YAML.parseAllDocuments(fs.readFileSync(process.argv[1], "utf8")).map((d) => d.toJSON()).find((d) => d?.kind === "PrometheusRule");
  if (!rule) { console.error("alerts-values.yaml rendered no PrometheusRule"); process.exit(1); }
  for (const g of rule.spec.groups) for (const r of g.rules) delete r.annotations;
  fs.writeFileSync(process.argv[2], YAML.stringify(rule.spec));
' "$work/alerts/manifests.yaml" "$work/alerts/rules.yaml"
cp "$here/alerts.test.yaml" "$work/alerts/"
"$promtool" check rules "$work/alerts/rules.yaml"
"$promtool" test rules "$work/alerts/alerts.test.yaml"
# The tests fail when they should: an alert that fires sooner than its `for`, and a threshold the series do not cross.
sed 's/^\( *for: \)10m$/\15m/' "$work/alerts/rules.yaml" >"$work/alerts/early.yaml"
sed 's/^\( *> \)5$/\120/' "$work/alerts/rules.yaml" >"$work/alerts/high.yaml"
for mutant in early high; do
  cmp -s "$work/alerts/rules.yaml" "$work/alerts/$mutant.yaml" && die "the $mutant mutation of the rules did not apply"
  mv "$work/alerts/rules.yaml" "$work/alerts/rules.good" && cp "$work/alerts/$mutant.yaml" "$work/alerts/rules.yaml"
  if "$promtool" test rules "$work/alerts/alerts.test.yaml" >"$work/alerts/$mutant.out" 2>&1; then die "the alert tests passed rules with the $mutant mutation"; fi
  mv "$work/alerts/rules.good" "$work/alerts/rules.yaml"
done
echo "the alert tests fail on a stalled alert firing after 5 minutes instead of 10, and on a storage threshold of 20 s instead of 5"

say "all Helm chart checks passed"
