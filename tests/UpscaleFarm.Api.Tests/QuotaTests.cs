using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Retention;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.Housekeeping;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>Per-tenant request rate, stored bytes, uploads in progress, retention, purge and the scratch sweeper.</summary>
[Collection(ApiCollection.Name)]
public sealed class QuotaTests(ApiFactory api)
{
    [Fact]
    public async Task Requests_over_the_tenants_rate_get_429_with_retry_after()
    {
        var slow = api.ClientFor(ApiFactory.SlowKey);
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < ApiFactory.SlowBurst + 5; i++)
            statuses.Add(await slow.GetAsync("/v1/models"));
        var refused = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(refused.Count, 4, 5); // the burst passes, then at most one token a second
        Assert.True(refused[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), refused[0].Headers.ToString());
        Assert.Equal("application/problem+json", refused[0].Content.Headers.ContentType?.MediaType);
        // Another tenant is not slowed, and the console's files are not counted.
        using (var other = await api.ClientFor(ApiFactory.BetaKey).GetAsync("/v1/models"))
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        using (var page = await slow.GetAsync("/"))
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        using var later = await slow.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task Stored_bytes_are_bounded_per_tenant_and_an_upload_in_progress_counts_as_a_job()
    {
        var gamma = api.ClientFor(ApiFactory.GammaKey);
        await PurgeAllAsync(gamma);
        using (var first = await gamma.PutAsync("/v1/uploads/first.bin", new ByteArrayContent(new byte[35_000])))
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using (var second = await gamma.PutAsync("/v1/uploads/second.bin", new ByteArrayContent(new byte[35_000])))
        {
            var body = await Refusals.BodyAsync(second, HttpStatusCode.RequestEntityTooLarge);
            Assert.Contains($"quota of {ApiFactory.GammaMaxStoredBytes}", body);
        }
        Assert.False(File.Exists(Path.Combine(api.DataDirectory, "objects", "tenants", "gamma", "uploads", "second.bin")));
        var quotas = api.Services.GetRequiredService<TenantQuotas>();
        Assert.Equal(35_000, await quotas.StoredBytesAsync("gamma", CancellationToken.None));

        // gamma may have one job or upload at a time: while an upload holds its lease (as a PUT streaming its body does), a submission is refused.
        var tenant = api.Services.GetRequiredService<IOptionsMonitor<ApiOptions>>().CurrentValue.Tenants.Single(t => t.Name == "gamma");
        using (await quotas.BeginAsync("gamma", tenant, CancellationToken.None))
        {
            Assert.Equal(1, quotas.UploadsInProgress("gamma"));
            using var refused = await gamma.PostAsync("/v1/jobs", Jobs.Form([("a.png", Jobs.Png("chelsea.png", 16, 16))]));
            var body = await Refusals.BodyAsync(refused, HttpStatusCode.TooManyRequests);
            Assert.Contains("uploads in progress", body);
        }
        Assert.Equal(0, quotas.UploadsInProgress("gamma"));
        var job = await Jobs.WaitAsync(gamma, (await Jobs.SubmitAsync(gamma, Jobs.Form([("a.png", Jobs.Png("chelsea.png", 16, 16))]))).Id);
        Assert.Equal("completed", job.State);
    }

    [Fact]
    public async Task Retention_deletes_expired_jobs_uploads_and_orphans_and_purge_deletes_at_once()
    {
        var gamma = api.ClientFor(ApiFactory.GammaKey);
        await PurgeAllAsync(gamma);
        var job = await Jobs.WaitAsync(gamma, (await Jobs.SubmitAsync(gamma, Jobs.Form([("r.png", Jobs.Png("chelsea.png", 16, 16))]))).Id);
        using (var put = await gamma.PutAsync("/v1/uploads/old.png", new ByteArrayContent(Jobs.Png("chelsea.png", 8, 8))))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var orphan = Path.Combine(api.DataDirectory, "objects", "tenants", "gamma", "jobs", Guid.NewGuid().ToString("N"), "source", "frame-000000.png");
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        await File.WriteAllBytesAsync(orphan, [1, 2, 3]);

        var sweeper = api.Services.GetRequiredService<RetentionSweeper>();
        var tenant = api.Services.GetRequiredService<IOptionsMonitor<ApiOptions>>().CurrentValue.Tenants.Single(t => t.Name == "gamma");
        var now = await sweeper.SweepTenantAsync(tenant, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal(0, now.Total); // nothing is old yet
        var later = await sweeper.SweepTenantAsync(tenant, DateTimeOffset.UtcNow + tenant.Retention + TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal(1, later.Uploads);
        Assert.Equal(1, later.OrphanedObjects);
        Assert.True(later.ExpiredJobObjects >= 2, later.ToString()); // the source and the result

        using (var gone = await gamma.GetAsync($"/v1/jobs/{job.Id:N}/result"))
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal("completed", (await gamma.GetFromJsonAsync<Apis.JobView>($"/v1/jobs/{job.Id:N}", ApiJson.Options))!.State);
        Assert.Equal(0, await api.Services.GetRequiredService<TenantQuotas>().StoredBytesAsync("gamma", CancellationToken.None));

        // Purge: at once, by the owner.
        var purged = await Jobs.WaitAsync(gamma, (await Jobs.SubmitAsync(gamma, Jobs.Form([("p.png", Jobs.Png("chelsea.png", 16, 16))]))).Id);
        using (var result = await gamma.GetAsync($"/v1/jobs/{purged.Id:N}/result"))
            Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        using (var conflict = await gamma.DeleteAsync($"/v1/jobs/{purged.Id:N}"))
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode); // an ended job cannot be cancelled
        using (var purge = await gamma.DeleteAsync($"/v1/jobs/{purged.Id:N}?purge=true"))
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        using (var gone = await gamma.GetAsync($"/v1/jobs/{purged.Id:N}/result"))
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(api.DataDirectory, "objects", "tenants", "gamma", "jobs", purged.Id.ToString("N")))
            && Directory.EnumerateFiles(Path.Combine(api.DataDirectory, "objects", "tenants", "gamma", "jobs", purged.Id.ToString("N")), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void The_scratch_sweeper_removes_only_what_no_one_wrote_for_hours()
    {
        var scratch = Directory.CreateTempSubdirectory("upscalefarm-scratch-").FullName;
        try
        {
            var old = Path.Combine(scratch, "video-old", "00000001.png");
            var fresh = Path.Combine(scratch, "uploads", "fresh.png");
            Directory.CreateDirectory(Path.GetDirectoryName(old)!);
            Directory.CreateDirectory(Path.GetDirectoryName(fresh)!);
            File.WriteAllBytes(old, [1]);
            File.WriteAllBytes(fresh, [2]);
            File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-7));
            Directory.SetLastWriteTimeUtc(Path.GetDirectoryName(old)!, DateTime.UtcNow.AddHours(-7));
            Assert.Equal(1, ScratchSweeper.Sweep(scratch, DateTime.UtcNow.AddHours(-6)));
            Assert.False(File.Exists(old));
            Assert.True(File.Exists(fresh));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Starts from an empty area: gamma's jobs purged through the API, its uploads removed from the store's folder.</summary>
    private async Task PurgeAllAsync(HttpClient client)
    {
        var page = await client.GetFromJsonAsync<Apis.JobPage>("/v1/jobs?pageSize=500", ApiJson.Options);
        foreach (var job in page!.Items)
            (await client.DeleteAsync($"/v1/jobs/{job.Id:N}?purge=true")).Dispose();
        var uploads = Path.Combine(api.DataDirectory, "objects", "tenants", "gamma", "uploads");
        if (Directory.Exists(uploads))
            Directory.Delete(uploads, recursive: true);
        // Deleted behind the API's back: what it remembers of gamma's stored bytes is stale.
        api.Services.GetRequiredService<TenantQuotas>().Forget("gamma");
    }
}
