namespace UpscaleFarm.Farm.Faults;

/// <summary>A fault thrown on purpose at a checkpoint (<see cref="FaultInjection"/>).</summary>
public sealed class InjectedFaultException(string checkpoint) : Exception($"fault injected at {checkpoint}");
