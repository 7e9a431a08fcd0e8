namespace UpscaleFarm.Storage.Tests;

/// <summary>The contract against a real S3-compatible server (s3rver), through AWSSDK.S3.</summary>
public sealed class S3ObjectStoreTests(S3rverFixture server) : ObjectStoreContract, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly S3ObjectStore _store = new(server.Settings);

    protected override IObjectStore Store => _store;

    public void Dispose() => _store.Dispose();
}
