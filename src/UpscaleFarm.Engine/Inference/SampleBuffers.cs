using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace UpscaleFarm.Engine.Inference;

/// <summary>
/// Input and output tensors of interleaved samples for one batch shape of a session that converts
/// pixels in its graph (<see cref="SessionPixels.Interleaved8Bit"/> or <see cref="SessionPixels.Interleaved16Bit"/>):
/// tiles are copied in and kept cores copied out as they travel, with no conversion on the host.
/// Created once per shape and reused, in arrays on the pinned heap, so the loop allocates nothing
/// and ONNX Runtime reads and writes them in place.
/// </summary>
public sealed class SampleBuffers : IDisposable
{
    internal SampleBuffers(int batch, int height, int width, int inputBands, int outputBands, int scale, bool is16Bit)
    {
        Batch = batch;
        Height = height;
        Width = width;
        InputBands = inputBands;
        OutputBands = outputBands;
        Scale = scale;
        BytesPerSample = is16Bit ? 2 : 1;
        Input = GC.AllocateUninitializedArray<byte>(checked(batch * InputImageLength), pinned: true);
        Output = GC.AllocateUninitializedArray<byte>(checked(batch * OutputImageLength), pinned: true);
        var type = is16Bit ? TensorElementType.UInt16 : TensorElementType.UInt8;
        InputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, type, [batch, height, width, inputBands],
            Marshal.UnsafeAddrOfPinnedArrayElement(Input, 0), Input.Length);
        OutputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, type,
            [batch, (long)height * scale, (long)width * scale, outputBands], Marshal.UnsafeAddrOfPinnedArrayElement(Output, 0), Output.Length);
    }

    public int Batch { get; }
    public int Height { get; }
    public int Width { get; }
    public int InputBands { get; }
    public int OutputBands { get; }
    public int Scale { get; }
    public int BytesPerSample { get; }
    public byte[] Input { get; }
    public byte[] Output { get; }
    internal OrtValue InputValue { get; }
    internal OrtValue OutputValue { get; }

    public int InputImageLength => Height * Width * InputBands * BytesPerSample;
    public int OutputImageLength => Height * Scale * Width * Scale * OutputBands * BytesPerSample;
    public int OutputRowLength => Width * Scale * OutputBands * BytesPerSample;

    public Span<byte> InputImage(int index) => Input.AsSpan(index * InputImageLength, InputImageLength);

    public ReadOnlySpan<byte> OutputImage(int index) => Output.AsSpan(index * OutputImageLength, OutputImageLength);

    public void Dispose()
    {
        InputValue.Dispose();
        OutputValue.Dispose();
    }
}
