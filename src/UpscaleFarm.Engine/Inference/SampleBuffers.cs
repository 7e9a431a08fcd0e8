using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace UpscaleFarm.Engine.Inference;

/// <summary>
/// Input and output tensors of interleaved samples for one batch shape of a session that converts
/// pixels in its graph (<see cref="SessionPixels.Interleaved8Bit"/> or <see cref="SessionPixels.Interleaved16Bit"/>):
/// tiles are copied in and kept cores copied out as they travel, with no conversion on the host.
/// Created once per shape and reused, in page-locked memory on a GPU (else arrays on the pinned heap), so
/// the loop allocates nothing and ONNX Runtime reads and writes them in place.
/// </summary>
public sealed unsafe class SampleBuffers : IDisposable
{
    private readonly byte[]? _input;
    private readonly byte[]? _output;
    private readonly byte* _inputData;
    private readonly byte* _outputData;

    /// <param name="pageLocked">On a GPU, ONNX Runtime's CUDA pinned (page-locked) host allocator: copies to and from
    /// the device then run by DMA without a staging copy. Null: arrays on .NET's pinned heap.</param>
    internal SampleBuffers(int batch, int height, int width, int inputBands, int outputBands, int scale, bool is16Bit, OrtAllocator? pageLocked)
    {
        Batch = batch;
        Height = height;
        Width = width;
        InputBands = inputBands;
        OutputBands = outputBands;
        Scale = scale;
        BytesPerSample = is16Bit ? 2 : 1;
        var type = is16Bit ? TensorElementType.UInt16 : TensorElementType.UInt8;
        long[] inputShape = [batch, height, width, inputBands];
        long[] outputShape = [batch, (long)height * scale, (long)width * scale, outputBands];
        if (pageLocked is not null)
        {
            InputValue = OrtValue.CreateAllocatedTensorValue(pageLocked, type, inputShape);
            OutputValue = OrtValue.CreateAllocatedTensorValue(pageLocked, type, outputShape);
            _inputData = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(InputValue.GetTensorMutableRawData()));
            _outputData = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(OutputValue.GetTensorMutableRawData()));
        }
        else
        {
            _input = GC.AllocateUninitializedArray<byte>(checked(batch * InputImageLength), pinned: true);
            _output = GC.AllocateUninitializedArray<byte>(checked(batch * OutputImageLength), pinned: true);
            _inputData = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_input, 0);
            _outputData = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_output, 0);
            InputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, type, inputShape, (IntPtr)_inputData, _input.Length);
            OutputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, type, outputShape, (IntPtr)_outputData, _output.Length);
        }
    }

    public int Batch { get; }
    public int Height { get; }
    public int Width { get; }
    public int InputBands { get; }
    public int OutputBands { get; }
    public int Scale { get; }
    public int BytesPerSample { get; }
    public bool IsPageLocked => _input is null;
    internal OrtValue InputValue { get; }
    internal OrtValue OutputValue { get; }

    public int InputImageLength => Height * Width * InputBands * BytesPerSample;
    public int OutputImageLength => Height * Scale * Width * Scale * OutputBands * BytesPerSample;
    public int OutputRowLength => Width * Scale * OutputBands * BytesPerSample;

    /// <summary>The whole batch's input samples (the buffers live as long as their session).</summary>
    public Span<byte> Input => new(_inputData, Batch * InputImageLength);

    public Span<byte> Output => new(_outputData, Batch * OutputImageLength);

    public Span<byte> InputImage(int index) => Input.Slice(index * InputImageLength, InputImageLength);

    public ReadOnlySpan<byte> OutputImage(int index) => Output.Slice(index * OutputImageLength, OutputImageLength);

    public void Dispose()
    {
        InputValue.Dispose();
        OutputValue.Dispose();
    }
}
