using UpscaleFarm.Farm.Client;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Health;

/// <summary>
/// The object store lists a prefix that holds nothing: one request, and unlike a HEAD of a missing key, it
/// fails when the bucket is missing or the credentials may not list it, as the farm's own listings would.
/// </summary>
public sealed class ObjectStoreHealthCheck(IObjectStore objects) : DependencyHealthCheck
{
    private const string EmptyPrefix = "health-probe/";

    protected override string Dependency => PublicErrors.ObjectStore;

    protected override async Task ProbeAsync(CancellationToken cancellation)
    {
        await using var listing = objects.ListObjectsAsync(EmptyPrefix, cancellation).GetAsyncEnumerator(cancellation);
        await listing.MoveNextAsync();
    }
}
