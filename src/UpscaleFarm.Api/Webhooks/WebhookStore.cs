using Dapper;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Webhooks;

/// <summary>
/// The API's own table in the farm's database: webhook deliveries, rows with a due time claimed under a lease by
/// <see cref="WebhookSender"/>, one per job and end event (<see cref="JobEndedConsumer"/>). The table is created by the
/// first call in a process (after the farm's tables, which its rows reference), under the same schema lock.
/// </summary>
public sealed class WebhookStore(SqlDialect dialect)
{
    private const string Table = """
        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            id TEXT PRIMARY KEY,
            job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            tenant TEXT NOT NULL,
            event_name TEXT NOT NULL,
            url TEXT NOT NULL,
            body TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_ms BIGINT NOT NULL,
            claim TEXT NULL,
            last_error TEXT NULL,
            created_ms BIGINT NOT NULL,
            finished_ms BIGINT NULL,
            UNIQUE (job_id, event_name));
        CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_ms) WHERE state = 'scheduled';
        """;

    private readonly SemaphoreSlim _schema = new(1, 1);
    private bool _created;

    private const string WebhookColumns = "id, job_id, tenant, event_name, url, body, state, attempts, next_attempt_ms, claim, last_error, created_ms, finished_ms";

    public async Task<bool> ScheduleWebhookAsync(WebhookDeliveryRecord delivery, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        // The unique (job_id, event_name) makes a redelivered end event a no-op.
        return await connection.ExecuteAsync($"""
            INSERT INTO webhook_deliveries ({WebhookColumns})
            VALUES (@Id, @JobId, @Tenant, @EventName, @Url, @Body, @State, @Attempts, @NextAttemptMs, @Claim, @LastError, @CreatedMs, @FinishedMs)
            ON CONFLICT (job_id, event_name) DO NOTHING
            """, delivery) == 1;
    }

    public async Task<WebhookDeliveryRecord?> ClaimWebhookAsync(string claim, long nowMs, long leaseEndMs, IReadOnlyCollection<string> excludedTenants,
        CancellationToken cancellation = default)
    {
        var parameters = new DynamicParameters(new { Claim = claim, Now = nowMs, LeaseEnd = leaseEndMs });
        var excluded = "";
        if (excludedTenants.Count > 0)
        {
            var names = excludedTenants.Select((tenant, i) => (Name: $"@Excluded{i}", Tenant: tenant)).ToList();
            foreach (var (name, tenant) in names)
                parameters.Add(name, tenant);
            excluded = $"AND tenant NOT IN ({string.Join(", ", names.Select(n => n.Name))})";
        }
        // 'scheduled' is a literal so the partial index webhook_deliveries_due applies. The outer conditions
        // are checked again on the row as it is when the update takes it: a delivery another sender claimed
        // meanwhile is no longer due (its next attempt is its claim's lease end), so it is not claimed twice.
        await using var connection = await OpenAsync(cancellation);
        return await connection.QuerySingleOrDefaultAsync<WebhookDeliveryRecord>($"""
            UPDATE webhook_deliveries SET claim = @Claim, attempts = attempts + 1, next_attempt_ms = @LeaseEnd
            WHERE id = (SELECT id FROM webhook_deliveries
                        WHERE state = 'scheduled' AND next_attempt_ms <= @Now {excluded}
                        ORDER BY next_attempt_ms, id LIMIT 1 {dialect.SkipLocked})
              AND state = 'scheduled' AND next_attempt_ms <= @Now
            RETURNING {WebhookColumns}
            """, parameters);
    }

    public async Task<bool> MarkWebhookDeliveredAsync(string id, string claim, long nowMs, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        return await connection.ExecuteAsync("""
            UPDATE webhook_deliveries SET state = @Delivered, claim = NULL, last_error = NULL, finished_ms = @Now
            WHERE id = @Id AND claim = @Claim AND state = @Scheduled
            """, new { Id = id, Claim = claim, Now = nowMs, WebhookDeliveryState.Delivered, WebhookDeliveryState.Scheduled }) == 1;
    }

    public async Task<bool> RetryWebhookAsync(string id, string claim, long nextAttemptMs, string error, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        return await connection.ExecuteAsync("""
            UPDATE webhook_deliveries SET claim = NULL, next_attempt_ms = @Next, last_error = @Error
            WHERE id = @Id AND claim = @Claim AND state = @Scheduled
            """, new { Id = id, Claim = claim, Next = nextAttemptMs, Error = Truncate(error), WebhookDeliveryState.Scheduled }) == 1;
    }

    public async Task<bool> MarkWebhookLostAsync(string id, string claim, string error, long nowMs, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        return await connection.ExecuteAsync("""
            UPDATE webhook_deliveries SET state = @Lost, claim = NULL, last_error = @Error, finished_ms = @Now
            WHERE id = @Id AND claim = @Claim AND state = @Scheduled
            """, new { Id = id, Claim = claim, Error = Truncate(error), Now = nowMs, WebhookDeliveryState.Lost, WebhookDeliveryState.Scheduled }) == 1;
    }

    public async Task<IReadOnlyList<WebhookDeliveryRecord>> GetWebhooksAsync(Guid jobId, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        return (await connection.QueryAsync<WebhookDeliveryRecord>(
            $"SELECT {WebhookColumns} FROM webhook_deliveries WHERE job_id = @Id ORDER BY created_ms, id", new { Id = jobId })).AsList();
    }

    private static string Truncate(string error) => error.Length > 2000 ? error[..2000] : error;

    /// <summary>A connection, the table created first if this process has not yet seen it (a failed attempt is tried again next call).</summary>
    private async Task<System.Data.Common.DbConnection> OpenAsync(CancellationToken cancellation)
    {
        if (!_created)
        {
            await _schema.WaitAsync(cancellation);
            try
            {
                if (!_created)
                {
                    await using var connection = await dialect.OpenAsync(cancellation);
                    await using var transaction = await connection.BeginTransactionAsync(cancellation);
                    await dialect.LockSchemaAsync(connection, transaction);
                    await connection.ExecuteAsync(Table, transaction: transaction);
                    await transaction.CommitAsync(cancellation);
                    _created = true;
                }
            }
            finally
            {
                _schema.Release();
            }
        }
        return await dialect.OpenAsync(cancellation);
    }
}
