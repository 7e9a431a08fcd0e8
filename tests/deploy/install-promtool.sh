#!/usr/bin/env bash
# Installs promtool (Prometheus's rule and config checker) from Debian's prometheus package, pinned, into
# .tools/promtool of this clone when missing, without installing anything system-wide (apt-get download,
# dpkg-deb -x; `apt-get update` first when apt's lists lack the version), and prints its path.
# Used by tests/deploy/compose/check.sh (prometheus.yml) and tests/deploy/helm/check.sh (the alerts).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
deb="prometheus=2.42.0+ds-5+deb12u1"
dir="$root/.tools/promtool"
bin="$dir/root/usr/bin/promtool"
if [[ ! -x "$bin" || "$(cat "$dir/.installed" 2>/dev/null)" != "$deb" ]]; then
  echo "installing promtool ($deb, Debian) into ${dir#"$root"/}" >&2
  apt-cache show "$deb" >/dev/null 2>&1 || apt-get update -qq
  rm -rf "$dir" && mkdir -p "$dir/debs"
  (cd "$dir/debs" && apt-get download -qq "$deb" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  dpkg-deb -x "$dir"/debs/prometheus_*.deb "$dir/root"
  rm -rf "$dir/debs" "$dir/root/usr/share" "$dir/root/usr/bin/prometheus"
  [[ -x "$bin" ]] || { echo "install-promtool.sh: no promtool in $deb" >&2; exit 1; }
  echo "$deb" >"$dir/.installed"
fi
echo "$bin"
