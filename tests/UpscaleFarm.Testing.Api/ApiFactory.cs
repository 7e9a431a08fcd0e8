using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenTelemetry.Trace;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Testing.Api;

/// <summary>
/// The real API host with its embedded farm (in-memory transport, SQLite, a directory store) and the
/// repository's models, configured with three tenants: two ordinary ones and one with small limits.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _extra;

    public ApiFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <param name="extra">Settings added to (or replacing) the defaults, e.g. another object store.</param>
    protected ApiFactory(IReadOnlyDictionary<string, string?> extra) => _extra = extra;

    public const string AcmeKey = "ufk_acme-test-key-0123456789";
    public const string BetaKey = "ufk_beta-test-key-0123456789";
    public const string SmallKey = "ufk_small-test-key-0123456789";
    public const int SmallMaxPriority = 3;
    public const string GammaKey = "ufk_gamma-test-key-0123456789";
    public const long GammaMaxStoredBytes = 60_000;
    public const string SlowKey = "ufk_slow-test-key-0123456789";
    public const int SlowBurst = 5;
    public const string AdminKey = "ufk_admin-test-key-0123456789";
    /// <summary>A tenant with small second-round limits: event streams, scratch space and stored bytes.</summary>
    public const string HostileKey = "ufk_hostile-test-key-0123456789";
    public const int HostileMaxEventStreams = 3;
    public const long HostileMaxScratchBytes = 150_000;
    public const long HostileMaxStoredBytes = 400_000;
    public const long SmallMaxUploadBytes = 20_000;
    public const long SmallMaxPixels = 100_000;
    public const long SmallMaxUnzippedBytes = 200_000;
    public const long SmallMaxOutputPixels = 200_000;
    /// <summary>A plain string secret: its UTF-8 bytes are the key.</summary>
    public const string AcmeWebhookSecret = "acme-webhook-secret";
    /// <summary>A Standard Webhooks secret: the base64 after "whsec_" is the key.</summary>
    public const string SmallWebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("upscalefarm-api-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = Settings(DataDirectory);
        foreach (var (key, value) in _extra)
            settings[key] = value;
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));
    }

    /// <summary>The API's settings in these tests (its embedded farm in <paramref name="dataDirectory"/>, the tenants above), as a host or a process takes them.</summary>
    public static Dictionary<string, string?> Settings(string dataDirectory)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = dataDirectory,
            ["Farm:ModelsDirectory"] = Path.Combine(RepoPaths.Root, "models"),
            ["Farm:Worker:Device"] = "Cpu",
            ["Api:AdminKeySha256"] = ApiKeyHash.Of(AdminKey),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var tenants = new[] { ("acme", AcmeKey), ("beta", BetaKey), ("small", SmallKey), ("gamma", GammaKey), ("slow", SlowKey), ("hostile", HostileKey) };
        for (var i = 0; i < tenants.Length; i++)
        {
            settings[$"Api:Tenants:{i}:Name"] = tenants[i].Item1;
            settings[$"Api:Tenants:{i}:KeySha256"] = ApiKeyHash.Of(tenants[i].Item2);
        }
        settings["Api:Tenants:2:MaxUploadBytes"] = SmallMaxUploadBytes.ToString();
        settings["Api:Tenants:2:MaxPixels"] = SmallMaxPixels.ToString();
        settings["Api:Tenants:2:MaxUnzippedBytes"] = SmallMaxUnzippedBytes.ToString();
        settings["Api:Tenants:2:MaxPriority"] = SmallMaxPriority.ToString();
        settings["Api:Tenants:2:MaxOutputPixels"] = SmallMaxOutputPixels.ToString();
        settings["Api:Tenants:0:WebhookSecret"] = AcmeWebhookSecret;
        // acme is trusted to jump the queue: it may use every priority.
        settings["Api:Tenants:0:MaxPriority"] = "9";
        settings["Api:Tenants:3:MaxStoredBytes"] = GammaMaxStoredBytes.ToString();
        settings["Api:Tenants:3:MaxConcurrentJobs"] = "1";
        settings["Api:Tenants:4:RequestsPerSecond"] = "1";
        settings["Api:Tenants:4:RequestBurst"] = SlowBurst.ToString();
        settings["Api:Tenants:2:WebhookSecret"] = SmallWebhookSecret;
        settings["Api:Tenants:5:MaxEventStreams"] = HostileMaxEventStreams.ToString();
        settings["Api:Tenants:5:MaxScratchBytes"] = HostileMaxScratchBytes.ToString();
        settings["Api:Tenants:5:MaxStoredBytes"] = HostileMaxStoredBytes.ToString();
        // The webhook tests' receiver listens on loopback.
        settings["Api:WebhookPrivateNetworks"] = "true";
        settings["Api:WebhookRetryDelays:0"] = "00:00:00.2";
        settings["Api:WebhookRetryDelays:1"] = "00:00:00.4";
        return settings;
    }

    /// <summary>Every span the API and its embedded farm ended, as OTLP would export them.</summary>
    public List<System.Diagnostics.Activity> Spans { get; } = [];

    public HttpClient ClientFor(string? key, bool followRedirects = true)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = followRedirects });
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold its file for a moment after the host stops; the OS cleans its temp folder.
        }
    }
}
