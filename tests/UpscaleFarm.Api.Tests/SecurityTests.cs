using System.Net;
using System.Net.Http.Json;
using NetVips;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>Keys, tenant isolation and limits: refusals are problem+json, and no tenant sees or writes another's data.</summary>
[Collection(ApiCollection.Name)]
public sealed class SecurityTests(ApiFactory api)
{
    [Theory]
    [InlineData(null)]
    [InlineData("ufk_not-a-key")]
    public async Task No_key_or_a_wrong_key_gets_401(string? key)
    {
        var client = api.ClientFor(key);
        foreach (var path in new[] { "/v1/jobs", $"/v1/jobs/{Guid.NewGuid():N}", "/v1/models" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var submit = await client.PostAsync("/v1/jobs", Jobs.Form([("a.png", Jobs.Png("chelsea.png", 8, 8))]));
        Assert.Equal(HttpStatusCode.Unauthorized, submit.StatusCode);
    }

    [Fact]
    public async Task Another_tenants_job_is_not_found_and_cannot_be_cancelled()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        var beta = api.ClientFor(ApiFactory.BetaKey);
        var job = await Jobs.WaitAsync(acme, (await Jobs.SubmitAsync(acme, Jobs.Form([("mine.png", Jobs.Png("chelsea.png", 8, 8))]))).Id);

        foreach (var path in new[] { $"/v1/jobs/{job.Id:N}", $"/v1/jobs/{job.Id:N}/result", $"/v1/jobs/{job.Id:N}/events" })
        {
            using var response = await beta.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        }
        using var cancel = await beta.DeleteAsync($"/v1/jobs/{job.Id:N}");
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        var listed = await beta.GetFromJsonAsync<Apis.JobPage>("/v1/jobs?pageSize=500", ApiJson.Options);
        Assert.DoesNotContain(listed!.Items, j => j.Id == job.Id);

        // The admin key sees it.
        var admin = api.ClientFor(ApiFactory.AdminKey);
        Assert.Equal(job.Id, (await admin.GetFromJsonAsync<Apis.JobView>($"/v1/jobs/{job.Id:N}", ApiJson.Options))!.Id);
    }

    [Fact]
    public async Task An_upload_over_the_tenants_byte_limit_gets_413()
    {
        var small = api.ClientFor(ApiFactory.SmallKey);
        var big = Jobs.Png("astronaut.png", 200, 200);
        Assert.True(big.Length > ApiFactory.SmallMaxUploadBytes);
        var problem = await Refusals.PostAsync(small, Jobs.Form([("big.png", big)]), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"limit of {ApiFactory.SmallMaxUploadBytes} bytes", problem.Detail);
    }

    [Fact]
    public async Task A_decompression_bomb_is_refused_from_its_header()
    {
        // 4 megapixels of one colour: a few kilobytes of PNG, 40× this tenant's pixel limit.
        VipsSetup();
        using var black = Image.Black(2000, 2000);
        var bomb = black.PngsaveBuffer(compression: 9);
        Assert.True(bomb.Length < ApiFactory.SmallMaxUploadBytes);
        var problem = await Refusals.PostAsync(api.ClientFor(ApiFactory.SmallKey), Jobs.Form([("bomb.png", bomb)]), HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"over the limit of {ApiFactory.SmallMaxPixels} pixels", problem.Detail);
        Assert.StartsWith("bomb.png:", problem.Detail);
    }

    [Theory]
    [InlineData("notes.png", "this is not an image", "not an image")]
    [InlineData("empty.png", "", "empty")]
    public async Task A_file_that_is_not_an_image_gets_422(string name, string content, string reason)
    {
        var problem = await Refusals.PostAsync(api.ClientFor(ApiFactory.AcmeKey), Jobs.Form([(name, System.Text.Encoding.UTF8.GetBytes(content))]),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains(reason, problem.Detail);
    }

    [Fact]
    public async Task Bad_options_get_400()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        var png = Jobs.Png("chelsea.png", 8, 8);
        Assert.Contains("unknown model", (await Refusals.PostAsync(acme, Jobs.Form([("a.png", png)], ("model", "nope")), HttpStatusCode.BadRequest)).Detail);
        Assert.Contains("must be a number", (await Refusals.PostAsync(acme, Jobs.Form([("a.png", png)], ("tile", "big")), HttpStatusCode.BadRequest)).Detail);
        Assert.Contains("no files", (await Refusals.PostAsync(acme, Jobs.Form([], ("model", "general-x4v3")), HttpStatusCode.BadRequest)).Detail);
    }

    [Fact]
    public async Task Refused_and_accepted_uploads_leave_nothing_outside_their_tenants_prefix()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        await Refusals.PostAsync(acme, Jobs.Form([("notes.png", "not an image"u8.ToArray())]), HttpStatusCode.UnprocessableEntity);
        await Jobs.WaitAsync(acme, (await Jobs.SubmitAsync(acme, Jobs.Form([("../../escape.png", Jobs.Png("chelsea.png", 8, 8))]))).Id);

        var objects = Path.Combine(api.DataDirectory, "objects");
        var keys = Directory.EnumerateFiles(objects, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(objects, f)).ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Matches("^tenants/(acme|beta|small)/(jobs/[0-9a-f]{32}|uploads)/", key));
        Assert.DoesNotContain(keys, key => key.Contains("escape") || key.Contains(".."));
        var uploads = Path.Combine(api.DataDirectory, "scratch", "uploads");
        Assert.True(!Directory.Exists(uploads) || !Directory.EnumerateFileSystemEntries(uploads).Any(), "upload scratch files were left behind");
    }

    private static void VipsSetup() => UpscaleFarm.Imaging.VipsSetup.EnsureConfigured();
}
