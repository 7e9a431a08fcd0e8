namespace UpscaleFarm.Farm.JobStore;

/// <param name="Counted">True for the one call that counted the tile.</param>
/// <param name="FrameComplete">True for the one call that counted the frame's last tile.</param>
public readonly record struct TileCount(bool Counted, bool FrameComplete);
