namespace UpscaleFarm.Engine.Inference;

/// <summary>What a session takes and returns.</summary>
public enum SessionPixels
{
    /// <summary>The model as stored: planar float (N, 3, H, W) in 0..1; the host converts pixels.</summary>
    PlanarFloat,

    /// <summary>Interleaved 8-bit samples in and out; the graph converts them (<c>PixelGraph</c>).</summary>
    Interleaved8Bit,

    /// <summary>Interleaved 16-bit samples (machine byte order) in and out; the graph converts them.</summary>
    Interleaved16Bit,
}
