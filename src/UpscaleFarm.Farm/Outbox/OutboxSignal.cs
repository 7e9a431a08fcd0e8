using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Outbox;

/// <summary>Wakes the <see cref="OutboxRelay"/> when this process committed messages, so they go out at once rather than at its next poll.</summary>
public sealed class OutboxSignal : WakeSignal;
