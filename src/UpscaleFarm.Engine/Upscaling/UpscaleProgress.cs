namespace UpscaleFarm.Engine.Upscaling;

/// <summary>Tiles finished out of the tiles of one image (colour and alpha passes together).</summary>
public readonly record struct UpscaleProgress(int TilesDone, int TilesTotal);
