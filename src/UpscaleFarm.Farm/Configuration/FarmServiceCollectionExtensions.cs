using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Assembler;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Coordinator;
using UpscaleFarm.Farm.Health;
using UpscaleFarm.Farm.Housekeeping;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Farm.Outbox;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Farm.Worker;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Configuration;

public static class FarmServiceCollectionExtensions
{
    /// <summary>
    /// Adds the farm's roles, its job store, object store and message bus, and a <see cref="FarmClient"/>.
    /// The job store's tables are created before the bus starts consuming.
    /// </summary>
    /// <param name="consumers">The host's own consumers on the farm's bus (e.g. the API's webhooks), with the farm's retry and outbox.</param>
    public static IServiceCollection AddUpscaleFarm(this IServiceCollection services, IConfiguration configuration, FarmRoles roles,
        Action<IBusRegistrationConfigurator>? consumers = null) =>
        services.AddUpscaleFarm(configuration, _ => roles, consumers);

    /// <summary>
    /// Adds the farm with the roles <paramref name="chooseRoles"/> picks from its settings: the API and the CLI run every role
    /// in their own process when the farm is embedded (in-memory transport), none when its queues are RabbitMQ's.
    /// </summary>
    /// <param name="configure">Settings set in code over the configuration's (an embedded farm's own), seen by the host's
    /// choices and by every service alike.</param>
    public static IServiceCollection AddUpscaleFarm(this IServiceCollection services, IConfiguration configuration,
        Func<FarmOptions, FarmRoles> chooseRoles, Action<IBusRegistrationConfigurator>? consumers = null, Action<FarmOptions>? configure = null)
    {
        // Bound and validated once, when the host starts: a setting out of range stops the start, named.
        var binding = services.AddOptions<FarmOptions>().BindConfiguration(FarmOptions.Section);
        if (configure is not null)
            binding.Configure(configure);
        binding.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FarmOptions>, FarmOptionsValidator>());
        // What must be known before the container exists: which roles, which transport (and so which hosted services).
        var options = FarmOptions.Read(configuration);
        configure?.Invoke(options);
        var roles = chooseRoles(options);

        // One store; each role takes the part it uses (IJobQueries, IPlanStore, IDispatchStore, ...).
        services.AddSingleton(sp => CreateJobStore(sp.GetRequiredService<IOptions<FarmOptions>>().Value));
        services.AddSingleton(sp => sp.GetRequiredService<SqlJobStore>().Dialect);
        services.AddSingleton<IJobStore>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IJobQueries>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IJobTransactions>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IPlanStore>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IDispatchStore>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IPackAttemptStore>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IFrameWriterStore>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IJobStoreSchema>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IVideoCutStore>(sp => sp.GetRequiredService<SqlJobStore>());
        services.AddSingleton<IObjectStore>(sp => CreateObjectStore(sp.GetRequiredService<IOptions<FarmOptions>>().Value));
        // Raw samples + LZ4: the cheapest to encode and decode of the measured codecs (BENCHMARKS.md, "Tile codecs").
        services.AddSingleton<ITileCodec, Lz4TileCodec>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<FarmOptions>>().Value.LoadModels());
        services.AddSingleton<FarmClient>();
        services.AddSingleton<JobLifecycle>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<FarmDiagnostics>();
        services.AddHostedService<JobStoreMigration>();
        services.AddHostedService<ScratchSweeper>();
        if (options.UsesRabbitMq)
            services.AddHostedService<RabbitMqTopologySetup>();

        if (roles.HasFlag(FarmRoles.Coordinator))
        {
            services.AddSingleton<FramePlanner>();
            services.AddSingleton<VideoCutter>();
            services.AddSingleton<VideoCutSignal>();
            services.AddSingleton<TileDispatchSignal>();
        }
        if (roles.HasFlag(FarmRoles.Worker))
        {
            services.AddSingleton<TileInference>();
            services.AddSingleton<EndedJobs>();
            services.AddHostedService<GpuMetrics>();
            services.AddSingleton<WorkerCpuReport>();
            services.AddHostedService(sp => sp.GetRequiredService<WorkerCpuReport>());
            // Before MassTransit's host: a worker takes no tile before its models are ready.
            services.AddHostedService<ModelWarmUp>();
        }
        if (roles.HasFlag(FarmRoles.Assembler))
        {
            services.AddSingleton<FrameAssembler>();
            services.AddSingleton<DoneTiles>();
            services.AddSingleton<FrameWriter>();
            services.AddSingleton<FrameLeaseNames>();
            services.AddSingleton<TileCompletedSignal>();
        }

        // Readiness: every role (and the API, and a client) uses all three dependencies.
        services.AddFarmHealthChecks();
        services.AddMassTransit(bus =>
        {
            BusConfiguration.Configure(bus, options, roles, consumers);
            FarmHealthChecks.ConfigureBusHealthCheck(bus);
        });
        services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            // A worker stopping (SIGTERM, scale-in) finishes the tiles it holds before it leaves.
            host.StopTimeout = TimeSpan.FromSeconds(60);
        });
        // The host's own shutdown budget (30 s by default) would cut that short: give it the 60 s and some.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(75));

        // After the bus's hosted service, so that the bus is started before the first message is sent (and stops after the
        // relay's last one). Every process that commits messages relays them: the client (API, CLI), the coordinator and
        // the assembler; a process that is only a worker commits none, and a fleet of them need not poll the store.
        if (roles != FarmRoles.Worker)
            services.AddHostedService<OutboxRelay>();
        if (roles.HasFlag(FarmRoles.Coordinator))
        {
            services.AddHostedService<TileDispatcher>();
            services.AddHostedService<VideoCutService>();
        }
        if (roles.HasFlag(FarmRoles.Assembler) && options.Assembler.Progressive)
            services.AddHostedService<FrameWriterService>();
        if (roles.HasFlag(FarmRoles.Coordinator))
        {
            services.AddSingleton<TileQueueProbe>();
            services.AddHostedService<Reconciler>();
        }
        if (roles.HasFlag(FarmRoles.Coordinator) && options.ResumesOnStart)
            services.AddHostedService<ResumeService>();
        return services;
    }

    public static SqlJobStore CreateJobStore(FarmOptions options) => new(options.Database switch
    {
        FarmDatabase.Sqlite => SqlDialect.Sqlite(options.DatabaseConnection is { Length: > 0 } cs ? cs
            : $"Data Source={Path.Combine(Path.GetFullPath(options.DataDirectory), "farm.db")}"),
        FarmDatabase.Postgres => SqlDialect.Postgres(options.DatabaseConnection),
        var other => throw new InvalidOperationException($"Farm:Database '{other}' is not sqlite or postgres"),
    });

    public static IObjectStore CreateObjectStore(FarmOptions options) => options.Storage switch
    {
        FarmStorage.FileSystem => new FileSystemObjectStore(Path.Combine(Path.GetFullPath(options.DataDirectory), "objects")),
        FarmStorage.S3 => new S3ObjectStore(options.S3Settings()),
        var other => throw new InvalidOperationException($"Farm:Storage '{other}' is not filesystem or s3"),
    };
}
