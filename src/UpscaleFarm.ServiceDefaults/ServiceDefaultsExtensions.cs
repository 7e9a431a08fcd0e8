using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace UpscaleFarm.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>The ActivitySource and Meter names of the farm's own instrumentation and of MassTransit's.</summary>
    public static readonly string[] Sources = ["UpscaleFarm", "MassTransit"];

    /// <summary>The port of the Prometheus scrape endpoint (env Metrics__PrometheusPort); 0, the default, serves none.</summary>
    public const string PrometheusPortSetting = "Metrics:PrometheusPort";

    /// <summary>
    /// OpenTelemetry traces, metrics and logs for one service, exported over OTLP when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set (protocol, headers and intervals from the other OTEL_* variables),
    /// the same metrics at http://*:PORT/metrics for Prometheus when <see cref="PrometheusPortSetting"/> is set,
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

        var prometheusPort = PrometheusPort(builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            // Each process its own instance (replicas' series must not collide: "active workers" counts them).
            .ConfigureResource(resource => resource.AddService(
                builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : serviceName,
                serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithTracing(tracing => tracing.AddSource(Sources).AddHttpClientInstrumentation())
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Sources).AddRuntimeInstrumentation().AddHttpClientInstrumentation();
                if (prometheusPort > 0)
                    metrics.AddPrometheusHttpListener(prometheus => ServePrometheus(prometheus, prometheusPort));
            });
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.UseOtlpExporter();

        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthEndpoints.LiveTag]);
        return builder;
    }

    /// <summary>The scrape endpoint's port, or 0 for none; a value that is no port fails the start, naming the setting.</summary>
    private static int PrometheusPort(IConfiguration configuration)
    {
        var value = configuration[PrometheusPortSetting];
        if (string.IsNullOrWhiteSpace(value))
            return 0;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
            throw new InvalidOperationException($"{PrometheusPortSetting} must be a port from 1 to {IPEndPoint.MaxPort}, or 0 for no scrape endpoint");
        return port;
    }

    private static void ServePrometheus(PrometheusHttpListenerOptions prometheus, int port)
    {
        prometheus.Port = port;
        // Every interface: a ServiceMonitor scrapes the pod's address, not loopback (the exporter's default host is
        // localhost). The exporter's own prefix is cleared first: left in place it binds 127.0.0.1 as well, and on
        // Linux the wildcard then fails with "address already in use".
        prometheus.ConfigureHttpListener = static (options, listener) =>
        {
            listener.Prefixes.Clear();
            listener.Prefixes.Add($"http://+:{options.Port}{options.ScrapeEndpointPath}/");
        };
        // The labels the OTLP collector's resource_to_telemetry_conversion puts on every series, so the dashboards'
        // and alerts' queries (which split by service and count workers by instance) read both paths alike.
        prometheus.ResourceConstantLabels = static key => key is "service.name" or "service.instance.id";
    }
}
