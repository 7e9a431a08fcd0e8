using System.Diagnostics.Metrics;

namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>
/// Samples one observable gauge of this process (e.g. <c>upscalefarm.gpu.utilization</c>) every
/// <paramref name="interval"/> while a benchmark runs, for its mean; none if nothing publishes it.
/// </summary>
public sealed class GaugeSampler : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<double> _samples = [];
    private readonly Timer _timer;

    public GaugeSampler(string instrument, TimeSpan interval)
    {
        _listener.InstrumentPublished = (i, listener) =>
        {
            if (i.Name == instrument)
                listener.EnableMeasurementEvents(i);
        };
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) => { lock (_samples) _samples.Add(value); });
        _listener.Start();
        _timer = new Timer(_ => _listener.RecordObservableInstruments(), null, interval, interval);
    }

    /// <summary>Drops what was sampled so far (e.g. during a warm-up).</summary>
    public void Reset()
    {
        lock (_samples)
            _samples.Clear();
    }

    public double? Mean
    {
        get
        {
            lock (_samples)
                return _samples.Count == 0 ? null : _samples.Average();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _listener.Dispose();
    }
}
