namespace UpscaleFarm.Contracts.V1;

/// <summary>Where a tile sits in its frame, in input pixels: the window read and the core kept.</summary>
public sealed record TileGeometry(int InputX, int InputY, int InputWidth, int InputHeight, int CoreX, int CoreY, int CoreWidth, int CoreHeight);
