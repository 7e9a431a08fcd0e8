namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>Farm tests run one at a time: they share the machine's two cores and the loopback servers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FarmCollection : ICollectionFixture<FarmServices>
{
    public const string Name = "farm";
}
