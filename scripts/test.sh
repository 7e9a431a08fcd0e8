#!/usr/bin/env bash
# Runs every test. Installs what the tests need beyond setup.sh: the CPU Vulkan driver that runs the
# reference implementation (realesrgan-ncnn-vulkan) the parity tests compare against, ffmpeg for the
# video tests, strace for the no-outbound-connections test, nftables, socat and iproute2 for the chaos run (scripts/chaos.sh), chromium for the console's browser tests (Playwright drives it; it downloads no browser), and the farm's servers on loopback (RabbitMQ, PostgreSQL, s3rver) through scripts/services.sh.
# The deployment checks (tests/deploy/*/check.sh) install their own pinned tools under .tools/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

missing=()
for pkg in libvulkan1 mesa-vulkan-drivers ffmpeg chromium strace nftables socat iproute2; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo_cmd=""; [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

scripts/services.sh start >/dev/null   # the distributed farm tests use them (and start them too if missing)
./upscalefarm models fetch >/dev/null   # builds the CLI and installs the models
dotnet build UpscaleFarm.sln -c Release --nologo -v quiet -clp:ErrorsOnly

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# The deployment's static checks (no Docker or helm here): compose and deploy/, then the Helm chart.
deploy=()
for check in tests/deploy/compose/check.sh tests/deploy/helm/check.sh; do
  if bash "$check"; then deploy+=("$check passed"); else deploy+=("$check FAILED"); status=1; fi
done
dotnet test UpscaleFarm.sln -c Release --no-build --nologo 2>&1 | tee "$log" || status=$?
printf '%s\n' "${deploy[@]}"
# One plain closing line for the whole run: the sum of every test project's counts.
awk '/(Passed|Failed)! *- *Failed:/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
