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
            Observe(worker.GpuDeviceId, () => utilization(device, out var u) == 0 ? u.Gpu / 100.0 : null,
                () => memory(device, out var m) == 0 ? (long)m.Used : null);
        }
        catch (EntryPointNotFoundException e)
        {
            logger.LogWarning("NVML has no {Function}: GPU metrics are off", e.Message);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The two gauges of GPU <paramref name="gpu"/>, read by the functions at each collection (null: no reading, no
    /// point). Apart from NVML so that their names and units, which the Prometheus names come from, are tested without a GPU.
    /// </summary>
    public static void Observe(int gpu, Func<double?> utilization, Func<long?> memoryUsed)
    {
        var tag = new KeyValuePair<string, object?>("gpu", gpu);
        FarmTelemetry.Meter.CreateObservableGauge("upscalefarm.gpu.utilization", () =>
            utilization() is { } u ? [new(u, tag)] : Array.Empty<System.Diagnostics.Metrics.Measurement<double>>(),
            // "ratio", not OpenTelemetry's "1": the collector names a gauge of unit "1" ..._ratio, but OpenTelemetry .NET's
            // Prometheus endpoint (Metrics:PrometheusPort) drops that unit; both append a "ratio" unit, so dashboards and
            // alerts find upscalefarm_gpu_utilization_ratio whichever way Prometheus gets it.
            "ratio", "Share of the last sample period in which the GPU ran a kernel");
        FarmTelemetry.Meter.CreateObservableGauge("upscalefarm.gpu.memory.used", () =>
            memoryUsed() is { } m ? [new(m, tag)] : Array.Empty<System.Diagnostics.Metrics.Measurement<long>>(),
            "By", "GPU memory in use");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
