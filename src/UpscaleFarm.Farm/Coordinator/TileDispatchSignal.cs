using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>Wakes the <see cref="TileDispatcher"/> when this process planned tiles, instead of at its next interval.</summary>
public sealed class TileDispatchSignal : WakeSignal;
