using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace UpscaleFarm.ServiceDefaults;

/// <summary>
/// A minimal HTTP server for <see cref="HealthEndpoints"/> in processes without ASP.NET Core (the farm's
/// coordinator, workers and assembler), so that Kubernetes can probe them: 200, or 503 when a check is not
/// healthy, with the report as <see cref="HealthReportJson"/> writes it.
/// </summary>
internal sealed class HealthEndpointServer(int port, HealthCheckService health) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://+:{port}/");
        listener.Start();
        await using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context, stoppingToken), stoppingToken);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken cancellation)
    {
        using var response = context.Response;
        var path = context.Request.Url?.AbsolutePath;
        if (path is not (HealthEndpoints.LivePath or HealthEndpoints.ReadyPath))
        {
            response.StatusCode = (int)HttpStatusCode.NotFound;
            return;
        }
        var report = await health.CheckHealthAsync(HealthEndpoints.Filter(path), cancellation);
        response.StatusCode = HealthReportJson.StatusCode(report.Status);
        response.ContentType = HealthReportJson.ContentType;
        // A probe must never see a cached answer: the point is what the dependencies say now.
        response.Headers["Cache-Control"] = "no-store, no-cache";
        await HealthReportJson.WriteAsync(response.OutputStream, report, cancellation);
    }
}
