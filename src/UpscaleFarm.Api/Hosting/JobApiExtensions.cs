using Microsoft.AspNetCore.Authentication;
using UpscaleFarm.Api.Apis;
using UpscaleFarm.Api.Events;
using UpscaleFarm.Api.Retention;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Api.Uploads;
using UpscaleFarm.Api.Viewing;
using UpscaleFarm.Api.Webhooks;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.ServiceDefaults;

namespace UpscaleFarm.Api.Hosting;

public static class JobApiExtensions
{
    /// <summary>
    /// The API's services: the farm (every role in this process when the transport is in-memory, none
    /// when it is RabbitMQ and the roles run elsewhere), API-key tenants, problem details and OpenAPI.
    /// </summary>
    public static WebApplicationBuilder AddJobApi(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults("upscalefarm-api");
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddAspNetCoreInstrumentation());
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddAspNetCoreInstrumentation());
        builder.Services.AddUpscaleFarm(builder.Configuration, farm => farm.UsesRabbitMq ? FarmRoles.None : FarmRoles.All,
            bus => bus.AddConsumer<JobEndedConsumer>().Endpoint(endpoint => endpoint.Name = "job-webhook"));
        // Bound and validated once, when the API starts: a tenant's setting out of range stops the start, named.
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        // The default HttpClient logs name the full URL, which may carry the receiver's token: removed.
        builder.Services.AddHttpClient(WebhookSender.HttpClientName, (sp, client) => client.Timeout = sp.GetRequiredService<IOptions<ApiOptions>>().Value.WebhookTimeout)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var api = sp.GetRequiredService<IOptions<ApiOptions>>().Value;
                return WebhookAddresses.Handler(api.WebhookPrivateNetworks, api.WebhookProxy is { Length: > 0 } proxy ? new Uri(proxy) : null);
            })
            .RemoveAllLoggers();
        // After AddUpscaleFarm: hosted services start in order, so the job store's tables exist before the sender polls them.
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        builder.Services.AddSingleton<JobUploads>();
        builder.Services.AddSingleton<TenantQuotas>();
        builder.Services.AddSingleton<RetentionSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionSweeper>());
        builder.Services.AddSingleton<DeepZoomPyramids>();
        builder.Services.AddSingleton<JobWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobWatcher>());
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddTenantRateLimits();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapJobApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The web console: static files from wwwroot, index.html at "/". It needs no server of its own.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        // After authentication (the bucket is the key's tenant), before authorization (refused keys are counted too).
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthChecks(HealthEndpoints.LivePath, Health(HealthEndpoints.LivePath));
        app.MapHealthChecks(HealthEndpoints.ReadyPath, Health(HealthEndpoints.ReadyPath));
        app.MapJobsApi();
        app.MapFramesApi();
        app.MapDeepZoomApi();
        app.MapUploadsApi();
        app.MapModelsApi();
        return app;
    }

    /// <summary>The checks of a health endpoint, answered as the farm roles' endpoints answer (503 and the unavailable dependencies' names).</summary>
    private static HealthCheckOptions Health(string path) => new()
    {
        Predicate = HealthEndpoints.Filter(path),
        ResultStatusCodes = Enum.GetValues<HealthStatus>().ToDictionary(status => status, HealthReportJson.StatusCode),
        ResponseWriter = (http, report) =>
        {
            http.Response.ContentType = HealthReportJson.ContentType;
            return HealthReportJson.WriteAsync(http.Response.Body, report, http.RequestAborted);
        },
    };
}
