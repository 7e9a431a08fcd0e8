namespace UpscaleFarm.Farm.JobStore;

/// <summary>Messages in the outbox not yet published, and when the oldest of them was written (null when there are none).</summary>
public readonly record struct OutboxBacklog(int Pending, long? OldestCreatedMs);
