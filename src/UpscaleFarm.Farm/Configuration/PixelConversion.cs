namespace UpscaleFarm.Farm.Configuration;

/// <summary>Where a worker converts tiles' 8/16-bit samples to the model's floats and back.</summary>
public enum PixelConversion
{
    /// <summary>On the device when the model runs on a GPU, on the host when it runs on the CPU.</summary>
    Auto,

    /// <summary>
    /// Inside the graph (<c>PixelGraph</c>): tiles go to the model as samples and come back as such, so on a GPU
    /// the conversion, rounding and clamping run on the device and copies carry a quarter of the float bytes.
    /// On the CPU device ONNX Runtime's element-wise operators do this about 7× slower than the host loop
    /// (BENCHMARKS.md), hence Auto.
    /// </summary>
    Device,

    /// <summary>On the host, in the worker's model loop (<c>PlanarPixels</c>).</summary>
    Host,
}
