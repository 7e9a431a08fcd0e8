using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Telemetry;

/// <summary>
/// A GPU worker's device utilisation and memory as gauges (<c>upscalefarm.gpu.utilization</c>, 0–1, and
/// <c>upscalefarm.gpu.memory.used</c>, bytes), read from NVIDIA's management library (NVML, part of the
/// driver) when it is there; a CPU worker or a machine without the driver exports neither.
/// </summary>
public sealed class GpuMetrics(IOptions<FarmOptions> options, ILogger<GpuMetrics> logger) : IHostedService
{
    private delegate int Init();
    private delegate int GetHandleByIndex(uint index, out IntPtr device);
    private delegate int GetUtilizationRates(IntPtr device, out Utilization utilization);
    private delegate int GetMemoryInfo(IntPtr device, out Memory memory);

    [StructLayout(LayoutKind.Sequential)]
    private struct Utilization
    {
        public uint Gpu;
        public uint Memory;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Memory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var worker = options.Value.Worker;
        if (worker.Device == ExecutionDevice.Cpu || !NativeLibrary.TryLoad("libnvidia-ml.so.1", out var nvml))
            return Task.CompletedTask;
        try
        {
            T Function<T>(string name) => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(nvml, name));
            if (Function<Init>("nvmlInit_v2")() != 0 || Function<GetHandleByIndex>("nvmlDeviceGetHandleByIndex_v2")((uint)worker.GpuDeviceId, out var device) != 0)
                return Task.CompletedTask;
            var utilization = Function<GetUtilizationRates>("nvmlDeviceGetUtilizationRates");
            var memory = Function<GetMemoryInfo>("nvmlDeviceGetMemoryInfo");
            var gpu = new KeyValuePair<string, object?>("gpu", worker.GpuDeviceId);
            FarmTelemetry.Meter.CreateObservableGauge("upscalefarm.gpu.utilization", () =>
                utilization(device, out var u) == 0 ? [new(u.Gpu / 100.0, gpu)] : Array.Empty<System.Diagnostics.Metrics.Measurement<double>>(),
                "1", "Share of the last sample period in which the GPU ran a kernel");
            FarmTelemetry.Meter.CreateObservableGauge("upscalefarm.gpu.memory.used", () =>
                memory(device, out var m) == 0 ? [new((long)m.Used, gpu)] : Array.Empty<System.Diagnostics.Metrics.Measurement<long>>(),
                "By", "GPU memory in use");
        }
        catch (EntryPointNotFoundException e)
        {
            logger.LogWarning("NVML has no {Function}: GPU metrics are off", e.Message);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
