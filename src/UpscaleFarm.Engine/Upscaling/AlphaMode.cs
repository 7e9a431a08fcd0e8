namespace UpscaleFarm.Engine.Upscaling;

/// <summary>How an alpha channel is upscaled.</summary>
public enum AlphaMode
{
    /// <summary>Through the model as a grey image, as Real-ESRGAN does by default: sharpest edges, double the compute.</summary>
    Model,

    /// <summary>Lanczos resampling: cheap, softer edges.</summary>
    Resample,
}
