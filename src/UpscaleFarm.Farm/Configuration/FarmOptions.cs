using Microsoft.Extensions.Configuration;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Configuration;

/// <summary>
/// The farm's settings, bound from the "Farm" configuration section (appsettings.json, or environment
/// variables such as Farm__Transport=rabbitmq). The defaults are the embedded farm: MassTransit's
/// in-memory transport, SQLite and a directory, all under <see cref="DataDirectory"/>.
/// </summary>
public sealed class FarmOptions
{
    public const string Section = "Farm";

    /// <summary>
    /// Where the embedded farm keeps its database, objects and scratch files. The default is the user's data
    /// directory (<see cref="DefaultDataDirectory"/>), never the working directory: a farm started in a project
    /// folder (`dotnet run`) once wrote its job store into the source tree. A relative setting is still taken from
    /// the working directory.
    /// </summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>
    /// The models directory, for every role and command alike (<see cref="LoadModels"/>); empty: $UPSCALEFARM_MODELS (this
    /// setting's older name, still honoured), else the nearest "models" folder above the program or the working directory.
    /// </summary>
    public string ModelsDirectory { get; set; } = "";

    public FarmTransport Transport { get; set; } = FarmTransport.InMemory;

    public string RabbitMqUrl { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    public FarmDatabase Database { get; set; } = FarmDatabase.Sqlite;

    /// <summary>ADO.NET connection string; empty means DataDirectory/farm.db for SQLite.</summary>
    public string DatabaseConnection { get; set; } = "";

    public FarmStorage Storage { get; set; } = FarmStorage.FileSystem;

    public string S3ServiceUrl { get; set; } = "";
    public string S3Bucket { get; set; } = "upscalefarm";
    public string S3AccessKey { get; set; } = "";
    public string S3SecretKey { get; set; } = "";
    public string S3Region { get; set; } = "us-east-1";

    /// <summary>The store's endpoint as the API's clients reach it, for presigned result URLs; empty: S3ServiceUrl.</summary>
    public string S3PublicUrl { get; set; } = "";

    /// <summary>Seconds after which a silent or unacknowledging connection to the object store is dropped and its request retried.</summary>
    public int S3DeadConnectionSeconds { get; set; } = 30;

    /// <summary>Republish the unfinished work found in the job store when the coordinator starts.
    /// Null: on with the in-memory transport (its queues die with the process), off with RabbitMQ (its queues are durable).</summary>
    public bool? ResumeOnStart { get; set; }

    /// <summary>A port for /health/live and /health/ready (`upscalefarm serve`, for Kubernetes probes); 0: none.</summary>
    public int HealthPort { get; set; }

    /// <summary>A name for this process in the tile records; empty means host:pid.</summary>
    public string InstanceName { get; set; } = "";

    /// <summary>
    /// How long a step waits out an unavailable dependency (object store, job store, network) before it
    /// fails, and its job with it, naming the dependency. Waiting never counts against a tile's attempts.
    /// </summary>
    public int OutageToleranceSeconds { get; set; } = 600;

    /// <summary>Scratch entries not written for this long belong to a process that died, and are removed.</summary>
    public TimeSpan ScratchMaxAge { get; set; } = TimeSpan.FromHours(6);

    public CoordinatorOptions Coordinator { get; set; } = new();

    public OutboxOptions Outbox { get; set; } = new();

    public WorkerOptions Worker { get; set; } = new();

    public AssemblerOptions Assembler { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    public MediaOptions Media { get; set; } = new();

    /// <summary>
    /// The settings bound from <paramref name="configuration"/> for the few choices a host makes before its services exist
    /// (the transport, and with it the roles and the bus; the health port). Every service reads
    /// <c>IOptions&lt;FarmOptions&gt;</c> instead, bound and validated once by <see cref="FarmServiceCollectionExtensions"/>.AddUpscaleFarm.
    /// </summary>
    public static FarmOptions Read(IConfiguration configuration) => configuration.GetSection(Section).Get<FarmOptions>() ?? new FarmOptions();

    /// <summary>The default <see cref="DataDirectory"/> for this process's user (<see cref="DataDirectoryFor"/>).</summary>
    public static string DefaultDataDirectory() =>
        // DoNotVerify: the home folder's path, whether or not it exists; with no home .NET answers "/".
        DataDirectoryFor(Environment.GetEnvironmentVariable("XDG_DATA_HOME"),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify));

    /// <summary>
    /// $XDG_DATA_HOME/upscalefarm (the XDG base directory specification ignores a relative value), else
    /// ~/.local/share/upscalefarm: what .NET's LocalApplicationData gives on Linux. A process with no home (HOME
    /// unset and no passwd entry, as some container users run; .NET then reports "/", which only root may write)
    /// gets a folder under the system temp directory instead: still absolute and outside any source tree, though
    /// not kept where the temp directory is cleared.
    /// </summary>
    public static string DataDirectoryFor(string? xdgDataHome, string? home)
    {
        if (xdgDataHome is { Length: > 0 } && Path.IsPathFullyQualified(xdgDataHome))
            return Path.Combine(xdgDataHome, "upscalefarm");
        if (home is { Length: > 1 } && Path.IsPathFullyQualified(home))
            return Path.Combine(home, ".local", "share", "upscalefarm");
        // Named after the user where there is a name, so users of one machine do not share (or fight over) one folder.
        return Path.Combine(Path.GetTempPath(), Environment.UserName is { Length: > 0 } user ? $"upscalefarm-{user}" : "upscalefarm");
    }

    /// <summary>The installed models, from <see cref="ModelsDirectory"/>: the one place that setting is read.</summary>
    public ModelCatalog LoadModels() => ModelCatalog.Load(ModelsDirectory is { Length: > 0 } directory ? directory : null);

    public bool UsesRabbitMq => Transport == FarmTransport.RabbitMq;

    /// <summary>Whether the coordinator republishes unfinished work at start (<see cref="ResumeOnStart"/>, else its default for the transport).</summary>
    public bool ResumesOnStart => ResumeOnStart ?? !UsesRabbitMq;

    public string Instance => InstanceName is { Length: > 0 } name ? name : $"{Environment.MachineName}:{Environment.ProcessId}";

    public string ScratchDirectory => Path.Combine(Path.GetFullPath(DataDirectory), "scratch");

    public S3Settings S3Settings() => new()
    {
        ServiceUrl = S3ServiceUrl,
        Bucket = S3Bucket,
        AccessKey = S3AccessKey,
        SecretKey = S3SecretKey,
        Region = S3Region,
        PublicUrl = S3PublicUrl,
        DeadConnectionSeconds = S3DeadConnectionSeconds,
    };
}
