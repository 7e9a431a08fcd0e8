namespace UpscaleFarm.Testing;

/// <summary>A fault thrown on purpose at a farm checkpoint (<see cref="CheckpointFault"/>).</summary>
public sealed class InjectedFaultException(string checkpoint) : Exception($"fault injected at {checkpoint}");
