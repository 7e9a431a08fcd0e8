using System.Diagnostics;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>A job submitted through the API is one trace, from the HTTP request to the assembled result.</summary>
[Collection(ApiCollection.Name)]
public sealed class TracingTests(ApiFactory api)
{
    [Fact]
    public async Task A_job_is_one_trace_that_starts_at_its_http_request()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("t.png", Jobs.Png("chelsea.png", 40, 30))], ("tile", "16"), ("halo", "4")))).Id);
        Assert.Equal("completed", job.State);
        var jobId = job.Id.ToString("N");

        List<Activity> spans;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            lock (api.Spans)
                spans = api.Spans.ToList();
            if (spans.Any(s => s.DisplayName == "assemble frame" && (string?)s.GetTagItem("job.id") == jobId))
                break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);

        var request = spans.Single(s => s.Kind == ActivityKind.Server && s.DisplayName.StartsWith("POST /v1/jobs") && spans.Any(p => p.TraceId == s.TraceId && (string?)p.GetTagItem("job.id") == jobId));
        var trace = spans.Where(s => s.TraceId == request.TraceId).ToList();
        Assert.All(spans.Where(s => (string?)s.GetTagItem("job.id") == jobId), s => Assert.Equal(request.TraceId, s.TraceId));
        foreach (var name in new[] { "plan frame", "dispatch tiles", "tile queue wait", "download tile", "inference", "upload tile", "assemble frame" })
            Assert.Contains(trace, s => s.DisplayName == name);
        // 6 tiles of 16² in 2 rows: a pack per row, and a worker's spans are a pack's.
        var inference = trace.Where(s => s.DisplayName == "inference").ToList();
        Assert.Equal(2, inference.Count);
        Assert.Equal(6, inference.Sum(s => (int)s.GetTagItem("tiles")!));
        Assert.All(trace.Where(s => s.GetTagItem("job.id") is not null), s => Assert.Equal("acme", s.GetTagItem("tenant")));
    }
}
