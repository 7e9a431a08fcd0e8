using Microsoft.ML.OnnxRuntime;

namespace UpscaleFarm.Engine.Inference;

/// <summary>
/// Pinned input and output tensors for one batch shape, created once and reused for every batch of
/// that shape, so the inference loop allocates nothing.
/// </summary>
public sealed class InferenceBuffers : IDisposable
{
    internal InferenceBuffers(int batch, int channels, int height, int width, int scale)
    {
        Batch = batch;
        Channels = channels;
        Height = height;
        Width = width;
        Scale = scale;
        Input = new float[(long)batch * channels * height * width];
        Output = new float[(long)batch * channels * height * scale * width * scale];
        InputValue = OrtValue.CreateTensorValueFromMemory(Input, [batch, channels, height, width]);
        OutputValue = OrtValue.CreateTensorValueFromMemory(Output, [batch, channels, (long)height * scale, (long)width * scale]);
    }

    public int Batch { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Scale { get; }
    public float[] Input { get; }
    public float[] Output { get; }
    internal OrtValue InputValue { get; }
    internal OrtValue OutputValue { get; }

    public int InputImageLength => Channels * Height * Width;
    public int OutputImageLength => InputImageLength * Scale * Scale;

    public Span<float> InputImage(int index) => Input.AsSpan(index * InputImageLength, InputImageLength);

    public ReadOnlySpan<float> OutputImage(int index) => Output.AsSpan(index * OutputImageLength, OutputImageLength);

    public void Dispose()
    {
        InputValue.Dispose();
        OutputValue.Dispose();
    }
}
