namespace UpscaleFarm.Api.Apis;

/// <summary>One frame of a job: its source's name and size (known once planned) and its tiles done of total.</summary>
public sealed record FrameView(int Frame, string Name, string State, int Width, int Height, int Scale, int TilesDone, int TilesTotal);
