using System.Diagnostics;
using Npgsql;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>
/// RabbitMQ, PostgreSQL and s3rver on loopback, started by scripts/services.sh (idempotent), shared by
/// the distributed tests. Each test gets its own RabbitMQ virtual host and PostgreSQL database.
/// </summary>
public sealed class FarmServices
{
    private readonly Dictionary<string, string> _settings = new();

    public FarmServices()
    {
        var output = Script("start");
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.Split('=', 2) is [var key, var value] && key.StartsWith("UPSCALEFARM_"))
                _settings[key] = value.Trim();
    }

    public string RabbitMqUrl => _settings["UPSCALEFARM_RABBITMQ"];
    public string Postgres => _settings["UPSCALEFARM_POSTGRES"];
    public string S3Endpoint => _settings["UPSCALEFARM_S3_ENDPOINT"];
    public string S3Bucket => _settings["UPSCALEFARM_S3_BUCKET"];

    /// <summary>A fresh virtual host and database; the returned settings point every role at them.</summary>
    public Dictionary<string, string?> NewFarm(string name, string modelsDirectory, string dataDirectory, string? s3Endpoint = null)
    {
        Rabbitmqctl("add_vhost", name);
        Rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        var database = NewDatabase(name);
        return new Dictionary<string, string?>
        {
            ["Farm:Transport"] = "rabbitmq",
            ["Farm:RabbitMqUrl"] = RabbitMqUrl.TrimEnd('/') + "/" + name,
            ["Farm:Database"] = "postgres",
            ["Farm:DatabaseConnection"] = database,
            ["Farm:Storage"] = "s3",
            ["Farm:S3ServiceUrl"] = s3Endpoint ?? S3Endpoint,
            ["Farm:S3Bucket"] = S3Bucket,
            ["Farm:S3AccessKey"] = "S3RVER",
            ["Farm:S3SecretKey"] = "S3RVER",
            ["Farm:ModelsDirectory"] = modelsDirectory,
            ["Farm:DataDirectory"] = dataDirectory,
        };
    }

    /// <summary>Creates an empty PostgreSQL database; returns its connection string.</summary>
    public string NewDatabase(string name)
    {
        using (var connection = new NpgsqlConnection(Postgres))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;
    }

    /// <summary>A migrated job store: SQLite in <paramref name="sqliteFile"/>, or a new PostgreSQL database.</summary>
    public async Task<SqlJobStore> OpenJobStoreAsync(string database, string sqliteFile)
    {
        var dialect = database == "sqlite"
            ? SqlDialect.Sqlite($"Data Source={sqliteFile}")
            : SqlDialect.Postgres(NewDatabase($"uf_{Guid.NewGuid():N}"[..20]));
        var store = new SqlJobStore(dialect);
        await store.MigrateAsync();
        return store;
    }

    /// <summary>Messages ready or unacknowledged in a queue of a virtual host (0 if it does not exist).</summary>
    public int QueueDepth(string vhost, string queue)
    {
        foreach (var line in Rabbitmqctl("list_queues", "-p", vhost, "--quiet", "--no-table-headers", "name", "messages").Split('\n'))
            if (line.Split('\t', StringSplitOptions.TrimEntries) is [var name, var count] && name == queue)
                return int.Parse(count);
        return 0;
    }

    public string Rabbitmqctl(params string[] args) => Script(["rabbitmqctl", .. args]);

    /// <summary>Restarts PostgreSQL at once, cutting every open connection (fast shutdown), as a failover does.</summary>
    public void RestartPostgres()
    {
        Script(["restart-postgres"]);
        // This process's own pooled connections died with the server: the harness's next NewDatabase must not draw one.
        NpgsqlConnection.ClearAllPools();
    }

    private static string Script(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "services.sh"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            throw new TimeoutException($"services.sh {string.Join(' ', args)} did not finish");
        return process.ExitCode == 0
            ? stdout.Result
            : throw new InvalidOperationException($"services.sh {string.Join(' ', args)} failed: {stderr.Result}{stdout.Result}");
    }

}
