using UpscaleFarm.Testing;

namespace UpscaleFarm.Engine.Tests.Support;

/// <summary>Test classes in this collection share one <see cref="ModelsFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ModelsCollection : ICollectionFixture<ModelsFixture>
{
    public const string Name = "models";
}
