using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using UpscaleFarm.Models.Onnx;

namespace UpscaleFarm.Engine.Inference;

/// <summary>
/// One ONNX Runtime session for one model on one device, reused for every tile. Input and output are
/// NCHW float with dynamic batch, height and width (<see cref="SessionPixels.PlanarFloat"/>), or, with the
/// graph extended by <see cref="PixelGraph"/>, interleaved 8- or 16-bit samples; the scale factor is found by probing.
/// </summary>
public sealed class ModelSession : IDisposable
{
    private const int ProbeSize = 16;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly string[] _colorOutput = [PixelGraph.ColorOutput];
    private readonly string[] _lumaOutput = [PixelGraph.LumaOutput];
    private readonly Dictionary<(int, int, int), InferenceBuffers> _buffers = new();
    private readonly Dictionary<(int, int, int, int, int), SampleBuffers> _sampleBuffers = new();
    private readonly Dictionary<(int Height, int Width), int> _batchLimits = new();
    private readonly OrtValue[] _inputValue = new OrtValue[1];
    private readonly OrtAllocator? _pageLocked;
    private readonly OrtValue[] _outputValue = new OrtValue[1];

    private ModelSession(InferenceSession session, ExecutionDevice device, bool fp16, SessionPixels pixels, bool pageLocked, int gpuDeviceId)
    {
        _session = session;
        Device = device;
        IsFp16 = fp16;
        Pixels = pixels;
        _inputNames = [session.InputNames[0]];
        _outputNames = [session.OutputNames[0]];
        var dims = session.InputMetadata[_inputNames[0]].Dimensions;
        if (pixels == SessionPixels.PlanarFloat)
        {
            if (dims.Length != 4 || session.InputMetadata[_inputNames[0]].ElementType != typeof(float))
                throw new InvalidModelException("the model's input must be a float tensor [N,C,H,W]");
            Channels = dims[1] > 0 ? dims[1] : 3;
        }
        else
        {
            Channels = 3;
        }
        Scale = pixels == SessionPixels.PlanarFloat ? ProbeScale() : ProbeSampleScale();
        if (pageLocked && device != ExecutionDevice.Cpu && pixels != SessionPixels.PlanarFloat)
            _pageLocked = PageLockedAllocator(session, gpuDeviceId);
    }

    /// <summary>The CUDA provider's pinned host allocator, or null where the session has none (then arrays on .NET's pinned heap serve).</summary>
    private static OrtAllocator? PageLockedAllocator(InferenceSession session, int gpuDeviceId)
    {
        try
        {
            using var info = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, gpuDeviceId, OrtMemType.CpuOutput);
            return new OrtAllocator(session, info);
        }
        catch (OnnxRuntimeException)
        {
            return null;
        }
    }

    /// <summary>Whether sample buffers are in page-locked memory (CUDA's pinned allocator).</summary>
    public bool PageLocked => _pageLocked is not null;

    /// <summary>The device the session actually runs on (Auto resolved).</summary>
    public ExecutionDevice Device { get; }
    public bool IsFp16 { get; }

    /// <summary>What the session exchanges: as asked, or planar float where the graph could not be extended (opset below 11).</summary>
    public SessionPixels Pixels { get; }
    public int Channels { get; }
    public int Scale { get; }

    /// <summary>Whether a session for <paramref name="device"/> may run on a GPU: a GPU device, or Auto where the NVIDIA driver is installed.</summary>
    public static bool MayUseGpu(ExecutionDevice device) =>
        device is ExecutionDevice.Cuda or ExecutionDevice.TensorRt || device == ExecutionDevice.Auto && GpuDriverPresent();

    private static bool GpuDriverPresent() => NativeLibrary.TryLoad("libcuda.so.1", out _);

    /// <summary>Creates a session, trying devices in the order TensorRT, CUDA, CPU for <see cref="ExecutionDevice.Auto"/>.</summary>
    public static ModelSession Create(string onnxPath, SessionSettings settings)
    {
        // Provider failures arrive as exceptions; ORT's own log would repeat them as multi-line stderr noise.
        OrtEnv.Instance().EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        // ONNX Runtime 1.31's Linux build carries a telemetry provider (it tries to keep a device id under $HOME):
        // a farm sends nothing its operator did not configure, so its events are switched off.
        OrtEnv.Instance().DisableTelemetryEvents();
        var candidates = settings.Device switch
        {
            ExecutionDevice.Auto when GpuDriverPresent() => [ExecutionDevice.TensorRt, ExecutionDevice.Cuda, ExecutionDevice.Cpu],
            ExecutionDevice.Auto => [ExecutionDevice.Cpu], // no NVIDIA driver: skip the GPU providers
            _ => new[] { settings.Device },
        };
        var failures = new List<string>();
        foreach (var device in candidates)
        {
            try
            {
                return CreateOn(onnxPath, device, settings);
            }
            catch (OnnxRuntimeException e) when (device != ExecutionDevice.Cpu)
            {
                failures.Add($"{device}: {FirstLine(e.Message)}");
            }
        }
        throw new InvalidModelException($"no usable {settings.Device} device ({string.Join("; ", failures)})");
    }

    private static ModelSession CreateOn(string onnxPath, ExecutionDevice device, SessionSettings settings)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = settings.IntraOpThreads > 0 ? settings.IntraOpThreads : Environment.ProcessorCount,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            // Warnings (nodes placed on the CPU beside a GPU provider) and errors (a batch the CUDA kernels
            // refuse, which Run splits) would break the one-line error contract; failures arrive as exceptions.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        var fp16 = false;
        byte[] model;
        try
        {
            model = File.ReadAllBytes(onnxPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidModelException($"{onnxPath}: cannot read the model ({e.Message})");
        }

        var pixels = SessionPixels.PlanarFloat;
        switch (device)
        {
            case ExecutionDevice.TensorRt:
                // The graph TensorRT sees is the one that takes samples when asked: wrap before the provider reads it.
                if (settings.Pixels != SessionPixels.PlanarFloat && PixelGraph.TryWrap(model, settings.Pixels == SessionPixels.Interleaved16Bit) is { } forTensorRt)
                    (model, pixels) = (forTensorRt, settings.Pixels);
                using (var trt = new OrtTensorRTProviderOptions())
                {
                    var cache = settings.TensorRtCachePath ?? Path.Combine(Path.GetTempPath(), "upscalefarm-trt");
                    var trtOptions = new Dictionary<string, string>
                    {
                        ["device_id"] = settings.GpuDeviceId.ToString(),
                        ["trt_fp16_enable"] = settings.Fp16OnGpu ? "1" : "0",
                        // Engines (minutes to build) and kernel timings survive restarts in the cache directory.
                        ["trt_engine_cache_enable"] = "1",
                        ["trt_engine_cache_path"] = cache,
                        ["trt_timing_cache_enable"] = "1",
                        ["trt_timing_cache_path"] = cache,
                    };
                    if (settings.TensorRtProfile is { } profile)
                        foreach (var (key, value) in profile.ProviderOptions(pixels == SessionPixels.PlanarFloat ? InputName(model) : PixelGraph.InputName, pixels))
                            trtOptions[key] = value;
                    trt.UpdateOptions(trtOptions);
                    options.AppendExecutionProvider_Tensorrt(trt);
                }
                options.AppendExecutionProvider_CUDA(settings.GpuDeviceId);
                fp16 = settings.Fp16OnGpu;
                break;
            case ExecutionDevice.Cuda:
                options.AppendExecutionProvider_CUDA(settings.GpuDeviceId);
                if (settings.Fp16OnGpu && Float16Graph.TryConvert(model) is { } half)
                {
                    model = half;
                    fp16 = true;
                }
                break;
        }
        if (pixels == SessionPixels.PlanarFloat && settings.Pixels != SessionPixels.PlanarFloat
            && PixelGraph.TryWrap(model, settings.Pixels == SessionPixels.Interleaved16Bit) is { } wrapped)
        {
            model = wrapped;
            pixels = settings.Pixels;
        }

        try
        {
            return new ModelSession(new InferenceSession(model, options), device, fp16, pixels, settings.PageLockedBuffers, settings.GpuDeviceId);
        }
        catch (OnnxRuntimeException e) when (device == ExecutionDevice.Cpu)
        {
            throw new InvalidModelException($"{Path.GetFileName(onnxPath)}: ONNX Runtime cannot load the model ({FirstLine(e.Message)})");
        }
    }

    /// <summary>Reusable tensors for a batch shape; owned by the session.</summary>
    public InferenceBuffers GetBuffers(int batch, int height, int width)
    {
        if (!_buffers.TryGetValue((batch, height, width), out var buffers))
        {
            buffers = new InferenceBuffers(batch, Channels, height, width, Scale);
            _buffers[(batch, height, width)] = buffers;
        }
        return buffers;
    }

    /// <summary>Reusable sample tensors for a batch shape of a session that takes samples; owned by the session.</summary>
    public SampleBuffers GetSampleBuffers(int batch, int height, int width, int inputBands, int outputBands)
    {
        if (Pixels == SessionPixels.PlanarFloat)
            throw new InvalidOperationException("this session takes planar float");
        if (inputBands is not (1 or 3) || outputBands is not (1 or 3))
            throw new ArgumentException("a tile has 1 or 3 bands in and out");
        if (!_sampleBuffers.TryGetValue((batch, height, width, inputBands, outputBands), out var buffers))
        {
            buffers = new SampleBuffers(batch, height, width, inputBands, outputBands, Scale, Pixels == SessionPixels.Interleaved16Bit, _pageLocked);
            _sampleBuffers[(batch, height, width, inputBands, outputBands)] = buffers;
        }
        return buffers;
    }

    /// <summary>
    /// Runs the model on <see cref="InferenceBuffers.Input"/>, writing <see cref="InferenceBuffers.Output"/>.
    /// A batch the device refuses is run in smaller parts, and the size that worked is kept for that tile
    /// shape: ONNX Runtime's CUDA kernels index some tensors with 32-bit integers, so x4plus's last
    /// upsampling (64 channels at the output size) fails above 2^31 elements, i.e. above 6 tiles of 576².
    /// </summary>
    public void Run(InferenceBuffers buffers) =>
        RunSplitting(buffers.Batch, (buffers.Height, buffers.Width),
            () => RunWhole(buffers.InputValue, buffers.OutputValue, _outputNames), part => RunInParts(buffers, part));

    /// <summary>Runs the model on <see cref="SampleBuffers.Input"/>, writing the kept bands' samples to <see cref="SampleBuffers.Output"/>.</summary>
    public void Run(SampleBuffers buffers) =>
        RunSplitting(buffers.Batch, (buffers.Height, buffers.Width),
            () => RunWhole(buffers.InputValue, buffers.OutputValue, buffers.OutputBands == 3 ? _colorOutput : _lumaOutput),
            part => RunInParts(buffers, part));

    private void RunSplitting(int batch, (int Height, int Width) shape, Action whole, Action<int> inParts)
    {
        if (batch > 1 && _batchLimits.TryGetValue(shape, out var limit) && batch > limit)
        {
            inParts(limit);
            return;
        }
        try
        {
            whole();
        }
        catch (OnnxRuntimeException) when (batch > 1)
        {
            var part = (batch + 1) / 2;
            _batchLimits[shape] = part;
            inParts(part);
        }
    }

    private void RunWhole(OrtValue input, OrtValue output, string[] outputNames)
    {
        _inputValue[0] = input;
        _outputValue[0] = output;
        _session.Run(_runOptions, _inputNames, _inputValue, outputNames, _outputValue);
    }

    private void RunInParts(SampleBuffers buffers, int part)
    {
        for (var first = 0; first < buffers.Batch; first += part)
        {
            var count = Math.Min(part, buffers.Batch - first);
            var parts = GetSampleBuffers(count, buffers.Height, buffers.Width, buffers.InputBands, buffers.OutputBands);
            buffers.Input.Slice(first * buffers.InputImageLength, count * buffers.InputImageLength).CopyTo(parts.Input);
            Run(parts); // halves again if even this part is refused
            parts.Output[..(count * buffers.OutputImageLength)].CopyTo(buffers.Output[(first * buffers.OutputImageLength)..]);
        }
    }

    private void RunInParts(InferenceBuffers buffers, int part)
    {
        for (var first = 0; first < buffers.Batch; first += part)
        {
            var count = Math.Min(part, buffers.Batch - first);
            var parts = GetBuffers(count, buffers.Height, buffers.Width);
            buffers.Input.AsSpan(first * buffers.InputImageLength, count * buffers.InputImageLength).CopyTo(parts.Input);
            Run(parts); // halves again if even this part is refused
            parts.Output.AsSpan(0, count * buffers.OutputImageLength).CopyTo(buffers.Output.AsSpan(first * buffers.OutputImageLength));
        }
    }

    private int ProbeScale()
    {
        var input = new float[Channels * ProbeSize * ProbeSize];
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, Channels, ProbeSize, ProbeSize]);
        using var results = _session.Run(_runOptions, _inputNames, [value], _outputNames);
        var shape = results[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 4 || shape[1] != Channels || shape[2] % ProbeSize != 0 || shape[2] != shape[3] || shape[2] < ProbeSize)
            throw new InvalidModelException($"the model maps [1,{Channels},{ProbeSize},{ProbeSize}] to [{string.Join(",", shape)}]: not an integer-scale super-resolution model");
        return (int)(shape[2] / ProbeSize);
    }

    private int ProbeSampleScale()
    {
        var shape16 = new long[] { 1, ProbeSize, ProbeSize, 3 };
        using var value = Pixels == SessionPixels.Interleaved16Bit
            ? OrtValue.CreateTensorValueFromMemory(new ushort[ProbeSize * ProbeSize * 3], shape16)
            : OrtValue.CreateTensorValueFromMemory(new byte[ProbeSize * ProbeSize * 3], shape16);
        using var results = _session.Run(_runOptions, _inputNames, [value], _colorOutput);
        var shape = results[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 4 || shape[3] != 3 || shape[1] % ProbeSize != 0 || shape[1] != shape[2] || shape[1] < ProbeSize)
            throw new InvalidModelException($"the model maps [1,{ProbeSize},{ProbeSize},3] samples to [{string.Join(",", shape)}]: not an integer-scale super-resolution model");
        return (int)(shape[1] / ProbeSize);
    }

    private static string InputName(byte[] model) => Models.Onnx.Proto.ModelProto.Parser.ParseFrom(model).Graph.Input[0].Name;

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    public void Dispose()
    {
        foreach (var b in _buffers.Values)
            b.Dispose();
        foreach (var b in _sampleBuffers.Values)
            b.Dispose();
        _pageLocked?.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
