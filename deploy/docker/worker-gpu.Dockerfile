# syntax=docker/dockerfile:1
# A GPU worker: the CLI (src/UpscaleFarm.Cli) on NVIDIA's CUDA 13 + cuDNN 9 runtime, with the
# built-in models converted to ONNX. ONNX Runtime's CUDA provider (Microsoft.ML.OnnxRuntime.Gpu.Linux
# 1.31.0, in the publish output) loads libcudart.so.13, libcublasLt.so.13, libcufft.so.12,
# libcurand.so.10 and libcudnn.so.9 from this base image. Needs an NVIDIA driver >= 580 on the host
# and the NVIDIA Container Toolkit. The build context is the repository root:
#   docker build -f deploy/docker/worker-gpu.Dockerfile -t upscalefarm/worker-gpu .
#   docker run --gpus all upscalefarm/worker-gpu

ARG DOTNET_TAG=10.0-noble
ARG CUDA_IMAGE=nvidia/cuda:13.0.2-cudnn-runtime-ubuntu24.04

# The build and models stages are the same as farm.Dockerfile's, so BuildKit reuses their cache.
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_TAG} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN --mount=type=cache,id=upscalefarm-nuget,target=/root/.nuget/packages \
    dotnet publish src/UpscaleFarm.Cli/UpscaleFarm.Cli.csproj -c Release -o /out --nologo

FROM build AS models
COPY models/manifest.json models/manifest.json
RUN --mount=type=cache,id=upscalefarm-models-cache,target=/src/models/.cache \
    UPSCALEFARM_MODELS=/src/models dotnet /out/upscalefarm.dll models fetch

# The .NET runtime (the CLI needs no other framework), taken from Microsoft's image of the same Ubuntu release.
FROM mcr.microsoft.com/dotnet/runtime:${DOTNET_TAG} AS dotnet

FROM ${CUDA_IMAGE} AS runtime
# What .NET needs from the OS on Ubuntu 24.04 (no ICU: the projects use invariant globalization).
# curl: the container's health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl libc6 libgcc-s1 libssl3t64 libstdc++6 tzdata zlib1g \
 && rm -rf /var/lib/apt/lists/*
COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && groupadd --gid 1654 app \
 && useradd --uid 1654 --gid app --no-create-home --shell /usr/sbin/nologin app \
 && install -d -o app -g app /var/lib/upscalefarm
WORKDIR /app
COPY --from=build /out/ ./
COPY --from=models /src/models/manifest.json models/manifest.json
COPY --from=models /src/models/onnx/ models/onnx/
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
    Farm__ModelsDirectory=/app/models \
    UPSCALEFARM_MODELS=/app/models \
    Farm__DataDirectory=/var/lib/upscalefarm \
    Farm__HealthPort=8081 \
    Farm__Worker__Device=cuda \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# The same uid as the .NET images' "app" user, so volumes work the same for every image.
USER 1654
EXPOSE 8081
ENTRYPOINT ["dotnet", "upscalefarm.dll"]
CMD ["serve", "--role", "worker"]
