namespace UpscaleFarm.Farm.Configuration;

/// <summary>
/// Farm:FaultInjection: crash windows made on purpose for tests (<see cref="Faults.FaultInjection"/>): checkpoints that
/// throw once, and checkpoints where the process kills itself. Leave both empty in production.
/// </summary>
public sealed class FaultInjectionOptions
{
    public List<string> ThrowOnceAt { get; set; } = [];

    public List<string> KillAt { get; set; } = [];
}
