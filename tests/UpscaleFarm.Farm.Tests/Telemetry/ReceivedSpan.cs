namespace UpscaleFarm.Farm.Tests.Telemetry;

/// <summary>A span as an OTLP receiver got it: which service sent it, its identity, parent and attributes.</summary>
internal sealed record ReceivedSpan(string Service, string Name, string TraceId, string SpanId, string? ParentSpanId,
    IReadOnlyDictionary<string, string> Attributes);
