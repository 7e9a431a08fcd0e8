using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// Tests that bound what the whole test process allocates while one request runs (GC.GetTotalAllocatedBytes counts every
/// thread): they run alone, after every other class, on an API host of their own, so no other test's work is counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "measured";
}
