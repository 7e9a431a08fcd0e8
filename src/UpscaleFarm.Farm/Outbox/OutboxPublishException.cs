namespace UpscaleFarm.Farm.Outbox;

/// <summary>A relay could not publish part of a batch; those messages were left in the outbox.</summary>
public sealed class OutboxPublishException(int unsent, Exception cause)
    : Exception($"{unsent} outbox messages could not be published and stay in the outbox: {cause.Message}", cause);
