using UpscaleFarm.Api.Webhooks;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Tests;

/// <summary>The API's webhook schedule (<see cref="WebhookStore"/>), on SQLite and on PostgreSQL: recorded once per job end, claimed once under a lease.</summary>
// In the API collection, not beside it: its concurrent claims allocate in this process, where the hostile-tenant tests
// measure what a request allocates.
[Collection(ApiCollection.Name)]
public sealed class WebhookStoreTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("upscalefarm-webhooks-").FullName;

    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_job_end_is_scheduled_once_per_event(string database)
    {
        using var stores = await OpenAsync(database);
        var store = stores.Webhooks;
        var job = await AddJobAsync(stores.Jobs, "t");

        Assert.True(await store.ScheduleWebhookAsync(Delivery(job, "t", "job.completed", dueMs: 100)));
        // A redelivered event makes a new delivery id, but the job already has its delivery.
        Assert.False(await store.ScheduleWebhookAsync(Delivery(job, "t", "job.completed", dueMs: 100)));
        Assert.True(await store.ScheduleWebhookAsync(Delivery(job, "t", "job.cancelled", dueMs: 100)));

        var rows = await store.GetWebhooksAsync(job);
        Assert.Equal(["job.cancelled", "job.completed"], rows.Select(r => r.EventName).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal((WebhookDeliveryState.Scheduled, 0, "{\"event\":\"x\"}"), (r.State, r.Attempts, r.Body)));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_delivery_is_claimed_when_due_under_a_lease_and_only_its_claim_records_the_outcome(string database)
    {
        using var stores = await OpenAsync(database);
        var store = stores.Webhooks;
        var job = await AddJobAsync(stores.Jobs, "t");
        var delivery = Delivery(job, "t", "job.completed", dueMs: 1000);
        await store.ScheduleWebhookAsync(delivery);

        Assert.Null(await store.ClaimWebhookAsync("early", nowMs: 999, leaseEndMs: 2000, []));
        Assert.Null(await store.ClaimWebhookAsync("excluded", nowMs: 1000, leaseEndMs: 2000, ["other", "t"]));
        var first = await store.ClaimWebhookAsync("a", nowMs: 1000, leaseEndMs: 2000, ["other"]);
        Assert.Equal((delivery.Id, 1, "a", 2000L), (first!.Id, first.Attempts, first.Claim, first.NextAttemptMs));
        // Held until the lease ends.
        Assert.Null(await store.ClaimWebhookAsync("b", nowMs: 1999, leaseEndMs: 3000, []));

        // The sender holding "a" crashed: after the lease another takes it, and "a" can no longer record anything.
        var second = await store.ClaimWebhookAsync("b", nowMs: 2000, leaseEndMs: 3000, []);
        Assert.Equal((2, "b"), (second!.Attempts, second.Claim));
        Assert.False(await store.MarkWebhookDeliveredAsync(delivery.Id, "a", 2100));
        Assert.False(await store.RetryWebhookAsync(delivery.Id, "a", 2200, "late"));

        Assert.True(await store.RetryWebhookAsync(delivery.Id, "b", nextAttemptMs: 5000, "the receiver answered 503"));
        Assert.Null(await store.ClaimWebhookAsync("c", nowMs: 4999, leaseEndMs: 9000, []));
        var third = await store.ClaimWebhookAsync("c", nowMs: 5000, leaseEndMs: 9000, []);
        Assert.Equal((3, "the receiver answered 503"), (third!.Attempts, third.LastError));
        Assert.True(await store.MarkWebhookDeliveredAsync(delivery.Id, "c", 5100));

        var delivered = Assert.Single(await store.GetWebhooksAsync(job));
        Assert.Equal((WebhookDeliveryState.Delivered, 3, null, 5100L), (delivered.State, delivered.Attempts, delivered.Claim, delivered.FinishedMs));
        Assert.Null(await store.ClaimWebhookAsync("d", nowMs: 100_000, leaseEndMs: 200_000, []));

        var lost = Delivery(job, "t", "job.failed", dueMs: 0);
        await store.ScheduleWebhookAsync(lost);
        await store.ClaimWebhookAsync("e", nowMs: 1, leaseEndMs: 2, []);
        Assert.True(await store.MarkWebhookLostAsync(lost.Id, "e", "timed out", 3));
        Assert.Null(await store.ClaimWebhookAsync("f", nowMs: 100_000, leaseEndMs: 200_000, []));
        Assert.Equal(WebhookDeliveryState.Lost, (await store.GetWebhooksAsync(job)).Single(r => r.Id == lost.Id).State);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task The_most_overdue_delivery_is_claimed_first(string database)
    {
        using var stores = await OpenAsync(database);
        var store = stores.Webhooks;
        var job = await AddJobAsync(stores.Jobs, "t");
        await store.ScheduleWebhookAsync(Delivery(job, "t", "job.failed", dueMs: 300));
        await store.ScheduleWebhookAsync(Delivery(job, "t", "job.completed", dueMs: 100));
        await store.ScheduleWebhookAsync(Delivery(job, "t", "job.cancelled", dueMs: 200));

        var order = new List<string>();
        for (var i = 0; i < 4 && await store.ClaimWebhookAsync($"c{i}", nowMs: 1000, leaseEndMs: 9000, []) is { } claimed; i++)
            order.Add(claimed.EventName);
        Assert.Equal(["job.completed", "job.cancelled", "job.failed"], order);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Concurrent_senders_claim_each_delivery_once(string database)
    {
        using var stores = await OpenAsync(database);
        var store = stores.Webhooks;
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var delivery = Delivery(await AddJobAsync(stores.Jobs, $"t{i % 4}"), $"t{i % 4}", "job.completed", dueMs: i);
            await store.ScheduleWebhookAsync(delivery);
            ids.Add(delivery.Id);
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(sender => Task.Run(async () =>
        {
            var mine = new List<string>();
            for (var i = 0; i < ids.Count && await store.ClaimWebhookAsync($"s{sender}-{i}", nowMs: 1000, leaseEndMs: 60_000, []) is { } claimed; i++)
                mine.Add(claimed.Id);
            return mine;
        })));
        var claimedIds = claims.SelectMany(c => c).ToList();
        // A sender may stop early (its pick was taken meanwhile); whatever is left is claimed by one more pass.
        for (var i = 0; i < ids.Count && await store.ClaimWebhookAsync($"last-{i}", nowMs: 1000, leaseEndMs: 60_000, []) is { } rest; i++)
            claimedIds.Add(rest.Id);
        Assert.Equal(ids.Order(StringComparer.Ordinal), claimedIds.Order(StringComparer.Ordinal));
    }

    private static WebhookDeliveryRecord Delivery(Guid job, string tenant, string eventName, long dueMs) => new()
    {
        Id = Guid.NewGuid().ToString("N"), JobId = job, Tenant = tenant, EventName = eventName, Url = "https://hooks.example.com/h",
        Body = "{\"event\":\"x\"}", State = WebhookDeliveryState.Scheduled, NextAttemptMs = dueMs, CreatedMs = dueMs,
    };

    private static async Task<Guid> AddJobAsync(SqlJobStore store, string tenant)
    {
        var id = Guid.NewGuid();
        await store.TransactAsync(changes => changes.CreateJobAsync(new JobRecord { Id = id, Tenant = tenant, Model = "m", FramesTotal = 1, WebhookUrl = "https://hooks.example.com/h" },
            [new FrameSource($"{tenant}/{id:N}/0.png", "0.png")]));
        return id;
    }

    /// <summary>A fresh job store (the jobs the deliveries reference) and the webhook store on the same database.</summary>
    private async Task<Stores> OpenAsync(string database)
    {
        var jobs = new SqlJobStore(database == "sqlite"
            ? SqlDialect.Sqlite($"Data Source={Path.Combine(_dir, $"{Guid.NewGuid():N}.db")}")
            : SqlDialect.Postgres(postgres.CreateDatabase($"uf_{Guid.NewGuid():N}"[..20])));
        await jobs.MigrateAsync();
        return new Stores(jobs, new WebhookStore(jobs.Dialect));
    }

    private sealed record Stores(SqlJobStore Jobs, WebhookStore Webhooks) : IDisposable
    {
        public void Dispose() => Jobs.Dispose();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
