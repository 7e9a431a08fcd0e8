using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace UpscaleFarm.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>The ActivitySource and Meter names of the farm's own instrumentation and of MassTransit's.</summary>
    public static readonly string[] Sources = ["UpscaleFarm", "MassTransit"];

    /// <summary>
    /// OpenTelemetry traces, metrics and logs for one service, exported over OTLP when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set (protocol, headers and intervals from the other OTEL_* variables),
    /// and a liveness health check. <paramref name="serviceName"/> is used unless OTEL_SERVICE_NAME names it;
    /// the instance id is host:pid.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName) where TBuilder : IHostApplicationBuilder
    {
        // Every log record carries the trace and span it was written in, on the console as in OTLP.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            // Each process its own instance (replicas' series must not collide: "active workers" counts them).
            .ConfigureResource(resource => resource.AddService(
                builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : serviceName,
                serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithTracing(tracing => tracing.AddSource(Sources).AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics.AddMeter(Sources).AddRuntimeInstrumentation().AddHttpClientInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.UseOtlpExporter();

        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthEndpoints.LiveTag]);
        return builder;
    }
}
