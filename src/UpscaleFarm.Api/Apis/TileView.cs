namespace UpscaleFarm.Api.Apis;

/// <summary>One tile: the part of the source it produces (its core, without the halo), its state and the worker that did it.</summary>
public sealed record TileView(int Tile, int Plane, int X, int Y, int Width, int Height, string State, string? Worker, int Attempts);
