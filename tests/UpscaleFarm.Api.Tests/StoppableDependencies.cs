using UpscaleFarm.Testing;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// The API and its embedded farm on dependencies a test may stop and start: its own PostgreSQL as the job
/// store and its own s3rver as the object store. Tests that stop one must start it again before they end.
/// </summary>
public sealed class StoppableDependencies : IDisposable
{
    public StoppableDependencies()
    {
        Api = new Factory(new Dictionary<string, string?>
        {
            ["Farm:Database"] = "postgres",
            ["Farm:DatabaseConnection"] = Postgres.CreateDatabase("api"),
            ["Farm:Storage"] = "s3",
            ["Farm:S3ServiceUrl"] = S3.Settings.ServiceUrl,
            ["Farm:S3Bucket"] = S3.Settings.Bucket,
            ["Farm:S3AccessKey"] = S3.Settings.AccessKey,
            ["Farm:S3SecretKey"] = S3.Settings.SecretKey,
        });
    }

    public PostgresServer Postgres { get; } = new();
    public S3rverFixture S3 { get; } = new();
    public ApiFactory Api { get; }

    private sealed class Factory(IReadOnlyDictionary<string, string?> settings) : ApiFactory(settings);

    public void Dispose()
    {
        Api.Dispose();
        S3.Dispose();
        Postgres.Dispose();
    }
}
