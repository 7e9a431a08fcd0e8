using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UpscaleFarm.ServiceDefaults;

/// <summary>
/// A health report as the endpoints answer it (with <see cref="StatusCode"/>), for operators and probes alike:
/// <c>{"status": "Unhealthy", "unavailable": ["object-store"], "checks": {"self": "Healthy", "job-store": "Healthy", …}}</c>.
/// Each check appears by its registered name (the dependency's public name) and status only: the
/// endpoints need no key, and a check's description or exception may name hosts, queues or connection
/// details (MassTransit's does), which stay in the logs that <see cref="HealthCheckService"/> writes.
/// </summary>
public static class HealthReportJson
{
    public const string ContentType = "application/json";

    /// <summary>
    /// 200 only when every check is healthy, else 503. Degraded counts as unavailable: MassTransit reports a bus
    /// whose endpoints lost the broker as Degraded, and a process that cannot reach its broker is not ready.
    /// </summary>
    public static int StatusCode(HealthStatus status) => status == HealthStatus.Healthy ? 200 : 503;

    public static async Task WriteAsync(Stream body, HealthReport report, CancellationToken cancellation)
    {
        await using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartArray("unavailable");
        foreach (var (name, _) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).OrderBy(e => e.Key, StringComparer.Ordinal))
            json.WriteStringValue(name);
        json.WriteEndArray();
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            json.WriteString(name, entry.Status.ToString());
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(cancellation);
    }
}
