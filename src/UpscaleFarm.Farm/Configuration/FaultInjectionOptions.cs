namespace UpscaleFarm.Farm.Configuration;

/// <summary>Farm:FaultInjection: checkpoints that throw once, for crash-window tests (<see cref="Faults.FaultInjection"/>). Leave empty in production.</summary>
public sealed class FaultInjectionOptions
{
    public List<string> ThrowOnceAt { get; set; } = [];
}
