using Dapper;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>The outbox relay's statements: messages are rows claimed under a lease, deleted once published.</summary>
public sealed partial class SqlJobStore
{
    private const string OutboxColumns = "id, message_type, body, trace_parent, created_ms";

    public async Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(string claim, long nowMs, long leaseEndMs, int limit,
        CancellationToken cancellation = default)
    {
        // The outer condition is checked again on each row as the update takes it: a row another relay claimed
        // meanwhile has a lease in the future, so it is not claimed twice (PostgreSQL also skips rows that
        // another claim holds locked instead of waiting for them).
        await using var connection = await dialect.OpenAsync(cancellation);
        var claimed = await connection.QueryAsync<OutboxMessage>($"""
            UPDATE outbox SET claim = @Claim, lease_until_ms = @LeaseEnd
            WHERE id IN (SELECT id FROM outbox WHERE lease_until_ms <= @Now ORDER BY created_ms, id LIMIT @Limit {dialect.SkipLocked})
              AND lease_until_ms <= @Now
            RETURNING {OutboxColumns}
            """, new { Claim = claim, Now = nowMs, LeaseEnd = leaseEndMs, Limit = limit });
        // RETURNING follows no ORDER BY: sent in the order they were written (to the millisecond).
        return claimed.OrderBy(m => m.CreatedMs).ThenBy(m => m.Id, StringComparer.Ordinal).ToList();
    }

    public async Task DeleteOutboxAsync(IReadOnlyList<string> ids, CancellationToken cancellation = default)
    {
        // By id alone: a message published is done with, even if its lease ran out meanwhile and another relay holds it.
        await using var connection = await dialect.OpenAsync(cancellation);
        await connection.ExecuteAsync($"DELETE FROM outbox WHERE id {dialect.InList("@Ids")}", new { Ids = ids });
    }

    public async Task ReleaseOutboxAsync(string claim, IReadOnlyList<string> ids, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await connection.ExecuteAsync($"UPDATE outbox SET claim = NULL, lease_until_ms = 0 WHERE id {dialect.InList("@Ids")} AND claim = @Claim",
            new { Ids = ids, Claim = claim });
    }

    public async Task<OutboxBacklog> CountOutboxAsync(CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        var (pending, oldest) = await connection.QuerySingleAsync<(int, long?)>("SELECT COUNT(*), MIN(created_ms) FROM outbox");
        return new OutboxBacklog(pending, oldest);
    }
}
