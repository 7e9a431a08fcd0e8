# syntax=docker/dockerfile:1
# The job API and its web console (src/UpscaleFarm.Api). The build context is the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t upscalefarm/api .

# .NET 10 images are Ubuntu 24.04 ("noble"); Microsoft publishes no Debian images for .NET 10.
ARG DOTNET_TAG=10.0-noble

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_TAG} AS build
# The API's build runs npm to fetch OpenSeadragon into wwwroot/lib (see UpscaleFarm.Api.csproj).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
# All of src/: the project graph changes more often than this file would be kept in step with it.
COPY src/ src/
# The package cache survives between builds, so a code change does not download NuGet packages again.
RUN --mount=type=cache,id=upscalefarm-nuget,target=/root/.nuget/packages \
    dotnet publish src/UpscaleFarm.Api/UpscaleFarm.Api.csproj -c Release -o /out --nologo -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_TAG} AS runtime
# ffmpeg: the API reads an uploaded video's headers with ffprobe to refuse one over the tenant's limits (the frames are cut
# by the coordinator), and an embedded farm (in-memory transport) cuts and encodes videos itself; util-linux: prlimit,
# the CPU, memory and file-size limits ffmpeg runs under (Farm:Media; essential in Debian, named so that it stays).
# curl: the container's health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg util-linux curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/ ./
# The API validates model names and tile sizes against the catalog; it never runs a model, so only
# the manifest is needed (the ONNX files live in the farm images).
COPY models/manifest.json models/manifest.json
# Scratch space for uploads being checked and Deep Zoom pyramids, writable by the non-root user
# ($APP_UID, 1654, comes with the aspnet image).
RUN install -d -o "$APP_UID" -g "$APP_UID" /var/lib/upscalefarm
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Farm__DataDirectory=/var/lib/upscalefarm \
    Farm__ModelsDirectory=/app/models \
    UPSCALEFARM_MODELS=/app/models
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "UpscaleFarm.Api.dll"]
