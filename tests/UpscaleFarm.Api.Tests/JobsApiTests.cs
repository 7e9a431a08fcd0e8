using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using NetVips;
using UpscaleFarm.Api.Apis;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>The job API against the real embedded farm: submit, poll, events, result, cancel, idempotency.</summary>
[Collection(ApiCollection.Name)]
public sealed class JobsApiTests(ApiFactory api)
{
    [Fact]
    public async Task A_submitted_image_is_upscaled_and_its_result_downloaded()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var submitted = await Jobs.SubmitAsync(client, Jobs.Form([("cat.png", Jobs.Png("chelsea.png", 40, 30))], ("tile", "16"), ("halo", "4")));
        Assert.Equal("acme", submitted.Tenant);
        Assert.Equal("general-x4v3", submitted.Model);

        var done = await Jobs.WaitAsync(client, submitted.Id);
        Assert.Equal("completed", done.State);
        Assert.Equal((100.0, 6, 6, 1, 1), (done.Percent, done.TilesDone, done.TilesTotal, done.FramesDone, done.FramesTotal));
        // Time per stage: planning, tiles and assembly add up to the time running.
        Assert.True(done is { PlanningSeconds: >= 0, TilesSeconds: > 0, AssemblySeconds: >= 0, RunningSeconds: > 0 }, done.ToString());
        Assert.Equal(done.RunningSeconds!.Value, done.PlanningSeconds!.Value + done.TilesSeconds!.Value + done.AssemblySeconds!.Value, 3);

        using var result = await client.GetAsync($"/v1/jobs/{submitted.Id:N}/result");
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        Assert.Equal("image/png", result.Content.Headers.ContentType?.MediaType);
        Assert.Equal("cat.png", result.Content.Headers.ContentDisposition?.FileNameStar ?? result.Content.Headers.ContentDisposition?.FileName);
        using var image = Image.NewFromBuffer(await result.Content.ReadAsByteArrayAsync());
        Assert.Equal((160, 120), (image.Width, image.Height));
    }

    [Fact]
    public async Task A_result_is_viewable_as_a_deep_zoom_pyramid_by_its_tenant_only()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("dz.png", Jobs.Png("astronaut.png", 100, 80))], ("tile", "64")))).Id);

        var descriptor = System.Xml.Linq.XDocument.Parse(await client.GetStringAsync($"/v1/jobs/{job.Id:N}/frames/0/dzi/image.dzi"));
        var size = descriptor.Descendants().Single(e => e.Name.LocalName == "Size");
        Assert.Equal(("400", "320"), (size.Attribute("Width")?.Value, size.Attribute("Height")?.Value));
        // Level 9 is the full size (2^9 = 512 ≥ 400): two columns and two rows of 254-px tiles.
        using var tile = await client.GetAsync($"/v1/jobs/{job.Id:N}/frames/0/dzi/image_files/9/1_1.jpeg");
        Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        using var image = Image.NewFromBuffer(await tile.Content.ReadAsByteArrayAsync());
        Assert.Equal((147, 67), (image.Width, image.Height)); // 400 - 254 + 1 overlap, 320 - 254 + 1

        var beta = api.ClientFor(ApiFactory.BetaKey);
        using var other = await beta.GetAsync($"/v1/jobs/{job.Id:N}/frames/0/dzi/image_files/9/1_1.jpeg");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        using var odd = await client.GetAsync($"/v1/jobs/{job.Id:N}/frames/0/dzi/image_files/9/..%2F..%2Fimage.dzi");
        Assert.Equal(HttpStatusCode.NotFound, odd.StatusCode);
    }

    [Fact]
    public async Task Priority_is_kept_with_the_job_and_bounded_by_the_tenant()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        var urgent = await Jobs.SubmitAsync(acme, Jobs.Form([("p.png", Jobs.Png("chelsea.png", 20, 16))], ("priority", "9")));
        Assert.Equal(9, urgent.Priority);
        Assert.Equal(5, (await Jobs.SubmitAsync(acme, Jobs.Form([("d.png", Jobs.Png("chelsea.png", 20, 16))]))).Priority);
        Assert.Equal(9, (await Jobs.WaitAsync(acme, urgent.Id)).Priority);

        var outOfRange = await Refusals.PostAsync(acme, Jobs.Form([("p.png", Jobs.Png("chelsea.png", 20, 16))], ("priority", "10")), HttpStatusCode.BadRequest);
        Assert.Contains("priority: must be 0 to 9", outOfRange.Detail);
        var small = api.ClientFor(ApiFactory.SmallKey);
        var aboveMaximum = await Refusals.PostAsync(small, Jobs.Form([("p.png", Jobs.Png("chelsea.png", 20, 16))], ("priority", "4")), HttpStatusCode.Forbidden);
        Assert.Contains($"maximum of {ApiFactory.SmallMaxPriority}", aboveMaximum.Detail);
        Assert.Equal(3, (await Jobs.SubmitAsync(small, Jobs.Form([("p.png", Jobs.Png("chelsea.png", 20, 16))], ("priority", "3")))).Priority);
    }

    [Fact]
    public async Task Several_images_make_a_frame_set_whose_result_is_a_zip()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var frames = new[] { ("a.png", Jobs.Png("chelsea.png", 20, 16)), ("b.png", Jobs.Png("astronaut.png", 16, 12)) };
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form(frames, ("format", "webp")))).Id);
        Assert.Equal(("completed", 2), (job.State, job.FramesDone));

        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(await client.GetByteArrayAsync($"/v1/jobs/{job.Id:N}/result")));
        Assert.Equal(["a.webp", "b.webp"], zip.Entries.Select(e => e.FullName).Order());
        using var b = Image.NewFromStream(zip.GetEntry("b.webp")!.Open());
        Assert.Equal((64, 48), (b.Width, b.Height));
    }

    [Fact]
    public async Task Events_report_progress_until_the_job_ends()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.SubmitAsync(client, Jobs.Form([("e.png", Jobs.Png("chelsea.png", 48, 32))], ("tile", "16"), ("halo", "4")));

        // A stream that never ends fails the test instead of hanging it.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var stream = new StreamReader(await client.GetStreamAsync($"/v1/jobs/{job.Id:N}/events", timeout.Token));
        var events = new List<(string Event, JobView Job)>();
        string? type = null;
        while (await stream.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
                events.Add((type!, JsonSerializer.Deserialize<JobView>(line[6..], ApiJson.Options)!));
        }

        Assert.Equal("end", events[^1].Event);
        Assert.Equal("completed", events[^1].Job.State);
        Assert.All(events[..^1], e => Assert.Equal("progress", e.Event));
        var done = events.Select(e => e.Job.TilesDone).ToList();
        Assert.Equal(done.Order(), done); // never goes backwards
        Assert.Equal(6, done[^1]);
    }

    [Fact]
    public async Task A_reconnect_with_the_last_event_id_is_sent_only_what_changed_and_204_after_the_end()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("one.png", Jobs.Png("chelsea.png", 12, 10))]))).Id);

        // An ended job's stream is its end, with the id of the state it shows.
        var end = Assert.Single(await EventsAsync(client, job.Id, lastEventId: null));
        Assert.Equal(("end", "completed.1.1.1"), (end.EventType, end.EventId));
        // Reconnecting from an earlier state: what changed since, here the end.
        var resumed = Assert.Single(await EventsAsync(client, job.Id, lastEventId: "running.0.0.1"));
        Assert.Equal(("end", "completed.1.1.1"), (resumed.EventType, resumed.EventId));
        // Reconnecting with the end's id (an EventSource does after the stream closes): 204, which tells it to stop.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{job.Id:N}/events") { Headers = { { "Last-Event-ID", end.EventId } } };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>A job's event stream to its end, read by .NET's own SSE parser.</summary>
    private static async Task<List<SseItem<string>>> EventsAsync(HttpClient client, Guid id, string? lastEventId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{id:N}/events");
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var items = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token))
            items.Add(item);
        return items;
    }

    [Fact]
    public async Task A_cancelled_job_stops_and_has_no_result()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        // 256 tiles of 16 pixels: long enough to cancel midway.
        var job = await Jobs.SubmitAsync(client, Jobs.Form([("big.png", Jobs.Png("astronaut.png", 256, 256))], ("tile", "16"), ("halo", "4")));
        await Jobs.WaitAsync(client, job.Id, j => j.TilesDone > 0 || j.State != "running" && j.State != "queued");

        using var cancel = await client.DeleteAsync($"/v1/jobs/{job.Id:N}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await Jobs.WaitAsync(client, job.Id);
        Assert.Equal("cancelled", cancelled.State);
        Assert.True(cancelled.TilesDone < cancelled.TilesTotal, $"{cancelled.TilesDone} of {cancelled.TilesTotal} tiles done");

        using var result = await client.GetAsync($"/v1/jobs/{job.Id:N}/result");
        Assert.Equal(HttpStatusCode.Conflict, result.StatusCode);
        using var again = await client.DeleteAsync($"/v1/jobs/{job.Id:N}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_job_within_a_tenant_only()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        var beta = api.ClientFor(ApiFactory.BetaKey);
        var key = Guid.NewGuid().ToString();
        var png = Jobs.Png("chelsea.png", 8, 8);

        var first = await Jobs.SubmitAsync(acme, Jobs.Form([("i.png", png)]), HttpStatusCode.Created, key);
        var second = await Jobs.SubmitAsync(acme, Jobs.Form([("i.png", png)]), HttpStatusCode.OK, key);
        var other = await Jobs.SubmitAsync(beta, Jobs.Form([("i.png", png)]), HttpStatusCode.Created, key);

        Assert.Equal(first.Id, second.Id);
        Assert.NotEqual(first.Id, other.Id);
        var listed = await acme.GetFromJsonAsync<JobPage>("/v1/jobs?pageSize=500", ApiJson.Options);
        Assert.Single(listed!.Items, j => j.Id == first.Id);
    }

    [Fact]
    public async Task Jobs_are_listed_newest_first_and_filtered_by_state()
    {
        var client = api.ClientFor(ApiFactory.BetaKey);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
            ids.Add((await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([($"{i}.png", Jobs.Png("chelsea.png", 8, 8))]))).Id)).Id);

        var page = (await client.GetFromJsonAsync<JobPage>("/v1/jobs?state=completed&pageSize=2", ApiJson.Options))!;
        Assert.Equal(2, page.Items.Count);
        Assert.True(page.Total >= 3);
        Assert.All(page.Items, j => Assert.Equal("completed", j.State));
        Assert.Equal([ids[2], ids[1]], page.Items.Select(j => j.Id));
        using var bad = await client.GetAsync("/v1/jobs?state=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Every_endpoint_is_in_the_openapi_document_and_models_are_listed()
    {
        var anonymous = api.ClientFor(null);
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        foreach (var (path, method) in new[]
                 {
                     ("/v1/jobs", "post"), ("/v1/jobs", "get"), ("/v1/jobs/{id}", "get"), ("/v1/jobs/{id}", "delete"),
                     ("/v1/jobs/{id}/result", "get"), ("/v1/jobs/{id}/events", "get"), ("/v1/models", "get"), ("/v1/uploads/{name}", "put"),
                     ("/v1/jobs/{id}/frames", "get"), ("/v1/jobs/{id}/frames/{frame}/tiles", "get"), ("/v1/jobs/{id}/frames/{frame}/source", "get"),
                     ("/v1/jobs/{id}/frames/{frame}/result", "get"),
                 })
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} is not in the document");

        var models = await api.ClientFor(ApiFactory.AcmeKey).GetFromJsonAsync<List<ModelView>>("/v1/models", ApiJson.Options);
        Assert.Contains(models!, m => m is { Id: "general-x4v3", Default: true, Scale: 4 });
    }
}
