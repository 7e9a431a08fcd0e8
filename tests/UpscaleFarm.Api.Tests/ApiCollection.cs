using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>One API host (and its embedded farm) shared by the API test classes, which run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "api";
}
