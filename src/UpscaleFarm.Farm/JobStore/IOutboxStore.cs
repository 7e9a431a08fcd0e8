namespace UpscaleFarm.Farm.JobStore;

/// <summary>The outbox relay's statements: messages claimed under a lease, deleted once published.</summary>
public interface IOutboxStore
{
    /// <summary>
    /// Claims up to <paramref name="limit"/> outbox messages whose lease has ended (unclaimed ones have ended), oldest
    /// first, under <paramref name="claim"/> until <paramref name="leaseEndMs"/>: a message is claimed by one relay at a
    /// time, however many ask at once; one its relay never deleted (it died) is claimable again when the lease ends.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(string claim, long nowMs, long leaseEndMs, int limit, CancellationToken cancellation = default);

    /// <summary>Deletes published messages.</summary>
    Task DeleteOutboxAsync(IReadOnlyList<string> ids, CancellationToken cancellation = default);

    /// <summary>Makes claimed messages that could not be published claimable again at once, if the claim still holds them.</summary>
    Task ReleaseOutboxAsync(string claim, IReadOnlyList<string> ids, CancellationToken cancellation = default);

    /// <summary>Messages waiting in the outbox and the age of the oldest.</summary>
    Task<OutboxBacklog> CountOutboxAsync(CancellationToken cancellation = default);
}
