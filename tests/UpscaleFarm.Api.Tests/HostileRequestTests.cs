using System.Net;
using System.Text;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// Requests a hostile or careless client sends: each is refused with a 4xx whose body says what was
/// wrong without a server path, an exception name or a stack frame; none is a 5xx.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HostileRequestTests(ApiFactory api)
{
    public static TheoryData<string, string, string?, string?> Requests => new()
    {
        { "GET", "/v1/jobs?page=-1", null, null },
        { "GET", "/v1/jobs?pageSize=100000", null, null },
        { "GET", "/v1/jobs?page=abc", null, null },
        { "GET", "/v1/jobs?state=%3Cscript%3E", null, null },
        { "GET", $"/v1/jobs/{Guid.NewGuid():N}", null, null },
        { "GET", "/v1/jobs/not-a-guid", null, null },
        { "GET", $"/v1/jobs/{Guid.NewGuid():N}/frames/-1/source", null, null },
        { "GET", $"/v1/jobs/{Guid.NewGuid():N}/frames/99999999999/result", null, null },
        { "GET", $"/v1/jobs/{Guid.NewGuid():N}/frames/0/dzi/image_files/-1/..%2F..%2Fx.jpeg", null, null },
        { "DELETE", $"/v1/jobs/{Guid.NewGuid():N}?purge=maybe", null, null },
        { "POST", "/v1/jobs", "text/plain", "hello" },
        { "POST", "/v1/jobs", "multipart/form-data", "--x--" },
        { "POST", "/v1/jobs", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngeneral-x4v3\r\n--b--\r\n" },
        { "POST", "/v1/jobs", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x.png\"\r\n\r\nnot a png at all\r\n--b--\r\n" },
        { "POST", "/v1/jobs", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../../../etc/passwd\"\r\n\r\nroot:x:0:0\r\n--b--\r\n" },
        { "POST", "/v1/jobs", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.zip\"\r\n\r\nPK\u0003\u0004broken\r\n--b--\r\n" },
        { "POST", "/v1/jobs", "application/json", "" },
        { "POST", "/v1/jobs", "application/json", "[]" },
        { "POST", "/v1/jobs", "application/json", "\"objects\"" },
        { "POST", "/v1/jobs", "application/json", """{"objects": "uploads/a.png"}""" },
        { "POST", "/v1/jobs", "application/json", """{"objects": [1, 2]}""" },
        { "POST", "/v1/jobs", "application/json", """{"objects": ["uploads/a.png"], "scale": "NaN"}""" },
        { "POST", "/v1/jobs", "application/json", """{"objects": ["uploads/a.png"], "tile": 1e99}""" },
        { "POST", "/v1/jobs", "application/json", """{"objects": ["file:///etc/passwd"]}""" },
        { "POST", "/v1/jobs", "application/json", """{"objects": ["uploads/no-such.png"]}""" },
        { "POST", "/v1/jobs", "application/json", "{\"objects\": [\"uploads/a.png\"], \"model\": \"" + new string('m', 5000) + "\"}" },
        { "PUT", "/v1/uploads/a%09b.png", "application/octet-stream", "x" },
        { "PUT", "/v1/uploads/" + new string('a', 300) + ".png", "application/octet-stream", "x" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task A_hostile_request_is_a_clean_4xx(string method, string path, string? contentType, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (contentType is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body ?? ""));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        using var response = await api.ClientFor(ApiFactory.BetaKey).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{method} {path}: {(int)response.StatusCode} {text}");
        JobOptionTests.AssertClean(text);
    }

    [Fact]
    public async Task A_purged_jobs_frames_are_gone_not_an_error()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.WaitAsync(acme, (await Jobs.SubmitAsync(acme, Jobs.Form([("g.png", Jobs.Png("chelsea.png", 16, 16))]))).Id);
        using (var purge = await acme.DeleteAsync($"/v1/jobs/{job.Id:N}?purge=true"))
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        foreach (var path in new[] { "frames/0/source", "frames/0/result", "frames/0/dzi/image.dzi", "result" })
        {
            using var response = await acme.GetAsync($"/v1/jobs/{job.Id:N}/{path}");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Gone, $"{path}: {(int)response.StatusCode} {text}");
            JobOptionTests.AssertClean(text);
        }
    }
}
