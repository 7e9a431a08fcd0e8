using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using UpscaleFarm.Farm.Tests.Telemetry.Otlp;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests.Telemetry;

/// <summary>
/// An OTLP/HTTP (protobuf) endpoint on a loopback port: what the farm's processes export with
/// OTEL_EXPORTER_OTLP_ENDPOINT pointed at it, as a collector would receive it.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentDictionary<(string Service, string Metric), byte> _metrics = new();
    private readonly ConcurrentQueue<(string Service, string Text, string TraceId)> _logs = new();
    private readonly Task _loop;

    private OtlpReceiver()
    {
        Endpoint = $"http://127.0.0.1:{LoopbackPort.Free()}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Endpoint { get; }
    public IReadOnlyList<ReceivedSpan> Spans => _spans.ToArray();
    public IReadOnlyCollection<(string Service, string Metric)> Metrics => _metrics.Keys.ToArray();

    /// <summary>Log records: service, text and the trace they were written in (empty if none).</summary>
    public IReadOnlyList<(string Service, string Text, string TraceId)> Logs => _logs.ToArray();

    public static Task<OtlpReceiver> StartAsync() => Task.FromResult(new OtlpReceiver());

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            using var response = context.Response;
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/v1/traces":
                    AddTraces(ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray()));
                    break;
                case "/v1/metrics":
                    AddMetrics(ExportMetricsServiceRequest.Parser.ParseFrom(body.ToArray()));
                    break;
                case "/v1/logs":
                    AddLogs(ExportLogsServiceRequest.Parser.ParseFrom(body.ToArray()));
                    break;
                default:
                    response.StatusCode = 404;
                    continue;
            }
            // An empty Export*ServiceResponse: everything accepted.
            response.ContentType = "application/x-protobuf";
        }
    }

    /// <summary>The variables that point a process's exporters here, flushing often.</summary>
    public IDictionary<string, string?> ExporterSettings(string serviceName) => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = serviceName,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    private void AddTraces(ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = ServiceName(resource.Resource);
            foreach (var span in resource.ScopeSpans.SelectMany(s => s.Spans))
                _spans.Enqueue(new ReceivedSpan(service, span.Name, Hex(span.TraceId), Hex(span.SpanId),
                    span.ParentSpanId.IsEmpty ? null : Hex(span.ParentSpanId),
                    span.Attributes.ToDictionary(a => a.Key, a => Value(a.Value))));
        }
    }

    private void AddMetrics(ExportMetricsServiceRequest request)
    {
        foreach (var resource in request.ResourceMetrics)
        {
            var service = ServiceName(resource.Resource);
            foreach (var metric in resource.ScopeMetrics.SelectMany(s => s.Metrics))
                _metrics.TryAdd((service, metric.Name), 0);
        }
    }

    private void AddLogs(ExportLogsServiceRequest request)
    {
        foreach (var resource in request.ResourceLogs)
        {
            var service = ServiceName(resource.Resource);
            foreach (var record in resource.ScopeLogs.SelectMany(s => s.LogRecords))
                _logs.Enqueue((service, Value(record.Body), Hex(record.TraceId)));
        }
    }

    private static string ServiceName(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? "";

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static string Value(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue.ToString(),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "",
    };

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }
}
