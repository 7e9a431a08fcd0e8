namespace UpscaleFarm.Farm.JobStore;

/// <summary>What a frame does with its source's alpha channel (stored as 0, 1, 2 in frames.alpha_plane).</summary>
public enum AlphaPlane
{
    /// <summary>The source has no alpha channel.</summary>
    None = 0,

    /// <summary>Alpha upscaled by the model: the frame has a second plane of tiles.</summary>
    Model = 1,

    /// <summary>Alpha resampled from the source (Lanczos) when the frame is assembled.</summary>
    Resampled = 2,
}
