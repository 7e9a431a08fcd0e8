using UpscaleFarm.Testing;

namespace UpscaleFarm.Cli.Tests;

/// <summary>Test classes in this collection share one <see cref="ModelsFixture"/> (xunit wants the collection defined in the tests' own assembly).</summary>
[CollectionDefinition(Name)]
public sealed class ModelsCollection : ICollectionFixture<ModelsFixture>
{
    public const string Name = "models";
}
