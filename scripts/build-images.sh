#!/usr/bin/env bash
# Builds UpscaleFarm's container images from deploy/docker/*.Dockerfile, tags them for a registry and,
# with --push, pushes them: the names the Helm chart pulls (helm/upscalefarm/values.yaml: image.registry
# + each role's image.repository, tag image.tag or the chart's appVersion).
#
#   scripts/build-images.sh [--registry REGISTRY] [--version VERSION] [--platform PLATFORMS] [--push]
#                           [--dry-run] [IMAGE...]
#
#   --registry  prefix of the image names, e.g. ghcr.io/acme or 123456789012.dkr.ecr.eu-west-1.amazonaws.com
#               (default: none, so the images are upscalefarm/api and so on, local only)
#   --version   the tag (default: appVersion in helm/upscalefarm/Chart.yaml)
#   --platform  e.g. linux/amd64,linux/arm64 (default: this host's; the GPU worker is linux/amd64 only,
#               as are ONNX Runtime's CUDA builds)
#   --push      push each image after building it (log in first: docker login REGISTRY)
#   --dry-run   print the docker commands instead of running them
#   IMAGE       any of api, farm, worker-gpu (default: all three)
#
# Then install the chart with the same two values:
#   helm install upscalefarm helm/upscalefarm --set image.registry=REGISTRY --set image.tag=VERSION
# Needs Docker with BuildKit (docker buildx; the default builder since Docker 23). The builds reach NuGet
# and the npm registry (the models are converted at build time).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

registry="" version="" platform="" push=false dry_run=false images=()
while (($#)); do
  case "$1" in
    --registry) registry="${2:?--registry needs a value}"; shift 2 ;;
    --version) version="${2:?--version needs a value}"; shift 2 ;;
    --platform) platform="${2:?--platform needs a value}"; shift 2 ;;
    --push) push=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-images.sh: unknown option $1 (--help lists them)" >&2; exit 64 ;;
    *) images+=("$1"); shift ;;
  esac
done
((${#images[@]})) || images=(api farm worker-gpu)
[[ -n "$version" ]] || version="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/helm/upscalefarm/Chart.yaml")"
# Docker's rules for a tag; a registry is a host[:port] with an optional path.
[[ "$version" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "build-images.sh: '$version' is not a valid image tag" >&2; exit 64; }
registry="${registry%/}"
[[ -z "$registry" || "$registry" =~ ^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$ ]] || { echo "build-images.sh: '$registry' is not a registry (host[:port][/path], lower case)" >&2; exit 64; }
$push && [[ -z "$registry" ]] && { echo "build-images.sh: --push needs --registry" >&2; exit 64; }

revision="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
run() { if $dry_run; then printf '%q ' "$@"; echo; else "$@"; fi; }

for image in "${images[@]}"; do
  dockerfile="deploy/docker/$image.Dockerfile"
  [[ -f "$root/$dockerfile" ]] || { echo "build-images.sh: no image '$image' (deploy/docker has: $(cd "$root/deploy/docker" && ls ./*.Dockerfile | sed 's|^\./||; s|\.Dockerfile$||' | tr '\n' ' '))" >&2; exit 64; }
  name="upscalefarm/$image:$version"
  [[ -n "$registry" ]] && name="$registry/$name"
  args=(docker buildx build --file "$dockerfile" --tag "$name"
    --label "org.opencontainers.image.title=upscalefarm-$image"
    --label "org.opencontainers.image.version=$version"
    --label "org.opencontainers.image.revision=$revision"
    --label "org.opencontainers.image.created=$created")
  [[ -n "$platform" ]] && args+=(--platform "$platform")
  # --push sends the result to the registry; --load keeps a single-platform build in the local engine.
  if $push; then args+=(--push); elif [[ "$platform" != *,* ]]; then args+=(--load); fi
  echo "== $name" >&2
  (cd "$root" && run "${args[@]}" .)
done
echo "built: ${images[*]} as ${registry:+$registry/}upscalefarm/IMAGE:$version$($push && echo ', pushed')" >&2
echo "helm install upscalefarm helm/upscalefarm${registry:+ --set image.registry=$registry} --set image.tag=$version" >&2
