using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NetVips;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// Job options are checked by one rule set before anything is created: a refusal is a 400 problem whose
/// "errors" name the field, the tenant gets no job and no stored object, and a job runs on exactly the
/// bytes that were checked.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class JobOptionTests(ApiFactory api)
{
    [Theory]
    [InlineData("tile", "1")]
    [InlineData("tile", "-5")]
    [InlineData("tile", "100000")]
    [InlineData("tile", "99999999999")]
    [InlineData("tile", "abc")]
    [InlineData("halo", "100000")]
    [InlineData("halo", "-1")]
    [InlineData("halo", "40")] // not smaller than the tile below
    [InlineData("scale", "1000")]
    [InlineData("scale", "0")]
    [InlineData("scale", "-2")]
    [InlineData("scale", "nan")]
    [InlineData("scale", "Infinity")]
    [InlineData("scale", "1e400")]
    [InlineData("quality", "500")]
    [InlineData("quality", "0")]
    [InlineData("priority", "99")]
    [InlineData("priority", "-1")]
    [InlineData("format", "bmp")]
    [InlineData("model", "../../etc/passwd")]
    [InlineData("alpha", "both")]
    [InlineData("webhook", "file:///etc/passwd")]
    [InlineData("webhook", "https://user:pass@example.com/hook")]
    [InlineData("container", "tar")]
    [InlineData("bogus", "1")]
    public async Task An_out_of_range_option_is_a_400_naming_the_field_and_creates_nothing(string field, string value)
    {
        var beta = api.ClientFor(ApiFactory.BetaKey);
        var before = await JobCountAsync(beta);
        var objects = Path.Combine(api.DataDirectory, "objects", "tenants", "beta", "jobs");
        // Job folders, not files: an earlier test's job may still be writing or deleting its tiles.
        string[] JobFolders() => Directory.Exists(objects) ? Directory.GetDirectories(objects) : [];
        var foldersBefore = JobFolders();

        // The option comes first; a second file after it would be read only if the option were accepted.
        var form = Jobs.Form([("a.png", Jobs.Png("chelsea.png", 64, 48)), ("b.png", Jobs.Png("chelsea.png", 64, 48))],
            (field, value), field == "halo" ? ("tile", "32") : ("priority", "5"));
        using var response = await beta.PostAsync("/v1/jobs", form);
        var body = await Refusals.BodyAsync(response, HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(body);
        Assert.True(problem.RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), body);
        Assert.True(problem.RootElement.TryGetProperty("traceId", out _), body);
        AssertClean(body);

        Assert.Equal(before, await JobCountAsync(beta));
        Assert.DoesNotContain(JobFolders().Except(foldersBefore), f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_result_over_the_tenants_output_pixels_is_refused_from_the_header()
    {
        var small = api.ClientFor(ApiFactory.SmallKey);
        // 64x48 at x4 is 49 152 pixels out: allowed; at x16, 786 432: over the tenant's 200 000.
        var job = await Jobs.SubmitAsync(small, Jobs.Form([("ok.png", Jobs.Png("chelsea.png", 64, 48))], ("tile", "32"), ("halo", "8"), ("priority", "1")));
        await Jobs.WaitAsync(small, job.Id);
        using var refused = await small.PostAsync("/v1/jobs", Jobs.Form([("big.png", Jobs.Png("chelsea.png", 64, 48))], ("scale", "16"), ("priority", "1")));
        var body = await Refusals.BodyAsync(refused, HttpStatusCode.BadRequest);
        Assert.Contains($"over the limit of {ApiFactory.SmallMaxOutputPixels}", body);
        Assert.Contains("\"files\"", body);
    }

    [Fact]
    public async Task A_small_tile_without_a_halo_runs_with_at_most_half_the_tile_as_halo()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        // general-x4v3's own halo is 16, as large as this tile: the job runs with 8 instead of being refused.
        var job = await Jobs.WaitAsync(acme, (await Jobs.SubmitAsync(acme, Jobs.Form([("s.png", Jobs.Png("chelsea.png", 64, 48))], ("tile", "16")))).Id);
        Assert.Equal(("completed", 12), (job.State, job.TilesTotal));
    }

    [Fact]
    public async Task Tile_zero_is_the_whole_image_only_up_to_the_largest_tile()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        var whole = await Jobs.WaitAsync(acme, (await Jobs.SubmitAsync(acme, Jobs.Form([("w.png", Jobs.Png("chelsea.png", 40, 30))], ("tile", "0")))).Id);
        Assert.Equal(("completed", 1), (whole.State, whole.TilesTotal));
        VipsSetup();
        using var wide = Image.Black(1100, 8, bands: 3).Cast(Enums.BandFormat.Uchar);
        using var refused = await acme.PostAsync("/v1/jobs", Jobs.Form([("wide.png", wide.PngsaveBuffer())], ("tile", "0")));
        var body = await Refusals.BodyAsync(refused, HttpStatusCode.BadRequest);
        Assert.Contains("whole image at once", body);
    }

    [Fact]
    public async Task A_json_job_runs_on_the_bytes_that_were_checked_even_if_the_upload_is_replaced()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        using (var put = await acme.PutAsync("/v1/uploads/swap.png", new ByteArrayContent(Jobs.Png("chelsea.png", 20, 14))))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var post = await acme.PostAsJsonAsync("/v1/jobs", new { objects = new[] { "uploads/swap.png" }, tile = 16, halo = 4 });
        Assert.True(post.StatusCode == HttpStatusCode.Created, await post.Content.ReadAsStringAsync());
        // Replaced at once, before the coordinator can have read it: the job must not see these bytes.
        using (var put = await acme.PutAsync("/v1/uploads/swap.png", new ByteArrayContent(Jobs.Png("astronaut.png", 100, 80))))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var job = await Jobs.WaitAsync(acme, (await post.Content.ReadFromJsonAsync<Apis.JobView>(ApiJson.Options))!.Id);
        Assert.Equal("completed", job.State);
        using var result = Image.NewFromBuffer(await acme.GetByteArrayAsync($"/v1/jobs/{job.Id:N}/result"));
        Assert.Equal((80, 56), (result.Width, result.Height));
    }

    [Fact]
    public async Task Json_submissions_are_size_bounded_and_bad_json_names_the_field()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        var huge = new { objects = Enumerable.Range(0, 5000).Select(i => $"uploads/file-{i:D6}-padding-padding.png").ToArray() };
        using (var tooLarge = await acme.PostAsJsonAsync("/v1/jobs", huge))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        using var bad = await acme.PostAsync("/v1/jobs", new StringContent("""{"objects": ["uploads/x.png"], "tile": "abc"}""", System.Text.Encoding.UTF8, "application/json"));
        var body = await Refusals.BodyAsync(bad, HttpStatusCode.BadRequest);
        Assert.Contains("\"tile\"", body);
        AssertClean(body);

        using var range = await acme.PostAsJsonAsync("/v1/jobs", new { objects = new[] { "uploads/x.png" }, scale = 1000 });
        var rangeBody = await Refusals.BodyAsync(range, HttpStatusCode.BadRequest);
        Assert.Contains("\"scale\"", rangeBody);
    }

    [Fact]
    public async Task A_job_that_fails_on_its_data_says_why_without_server_paths()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        var png = Jobs.Png("astronaut.png", 200, 160);
        var truncated = png[..(png.Length / 2)];
        var job = await Jobs.WaitAsync(acme, (await Jobs.SubmitAsync(acme, Jobs.Form([("cut.png", truncated)], ("tile", "64")))).Id);
        Assert.Equal("failed", job.State);
        Assert.Contains("cut.png", job.Error);
        AssertClean(job.Error!);
        Assert.DoesNotContain(api.DataDirectory, job.Error);
    }

    /// <summary>What no response may carry: a server path, a .NET type or exception name, a stack frame.</summary>
    internal static void AssertClean(string text)
    {
        Assert.DoesNotMatch(@"(?<![\w.:/])/(tmp|home|root|work|usr|var|etc)/", text);
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain(" at UpscaleFarm", text);
        Assert.DoesNotContain("Int32", text);
    }

    private static void VipsSetup() => UpscaleFarm.Imaging.VipsSetup.EnsureConfigured();

    private static async Task<int> JobCountAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<Apis.JobPage>("/v1/jobs?pageSize=1", ApiJson.Options))!.Total;
}
