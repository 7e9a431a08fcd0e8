namespace UpscaleFarm.Api.Apis;

public sealed record ModelView(string Id, string Name, string Architecture, int Scale, int TileSize, int Halo, bool Default);
