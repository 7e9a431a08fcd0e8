using System.Net;
using System.Net.Http.Json;
using NetVips;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>Uploads put into a tenant's area and named by a JSON job; no name reaches outside the tenant's prefix.</summary>
[Collection(ApiCollection.Name)]
public sealed class UploadsTests(ApiFactory api)
{
    [Fact]
    public async Task An_upload_named_by_a_json_job_is_upscaled()
    {
        var client = api.ClientFor(ApiFactory.AcmeKey);
        using var put = await client.PutAsync("/v1/uploads/scan.png", new ByteArrayContent(Jobs.Png("chelsea.png", 20, 14)));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        using var post = await client.PostAsJsonAsync("/v1/jobs", new { objects = new[] { "uploads/scan.png" }, format = "webp" });
        Assert.True(post.StatusCode == HttpStatusCode.Created, await post.Content.ReadAsStringAsync());
        var job = await Jobs.WaitAsync(client, (await post.Content.ReadFromJsonAsync<Apis.JobView>(ApiJson.Options))!.Id);
        Assert.Equal(("completed", "webp"), (job.State, job.Format));
        using var image = Image.NewFromBuffer(await client.GetByteArrayAsync($"/v1/jobs/{job.Id:N}/result"));
        Assert.Equal((80, 56), (image.Width, image.Height));
        Assert.True(File.Exists(Path.Combine(api.DataDirectory, "objects", "tenants", "acme", "uploads", "scan.png")), "the upload is the tenant's and stays");
    }

    [Theory]
    [InlineData("uploads/never-put.png", HttpStatusCode.UnprocessableEntity, "there is no upload")]
    [InlineData("uploads/../../beta/uploads/scan.png", HttpStatusCode.BadRequest, "not one of this tenant's uploads")]
    [InlineData("tenants/acme/uploads/scan.png", HttpStatusCode.BadRequest, "not one of this tenant's uploads")]
    [InlineData("/etc/passwd", HttpStatusCode.BadRequest, "not one of this tenant's uploads")]
    public async Task A_json_job_can_name_only_its_own_tenants_uploads(string reference, HttpStatusCode status, string reason)
    {
        // acme's upload exists; beta naming it by any path reaches only beta's own area.
        using (var put = await api.ClientFor(ApiFactory.AcmeKey).PutAsync("/v1/uploads/scan.png", new ByteArrayContent(Jobs.Png("chelsea.png", 8, 8))))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var post = await api.ClientFor(ApiFactory.BetaKey).PostAsJsonAsync("/v1/jobs", new { objects = new[] { reference } });
        var body = await post.Content.ReadAsStringAsync();
        Assert.True(post.StatusCode == status, $"{post.StatusCode}: {body}");
        Assert.Contains(reason, body);
    }

    [Fact]
    public async Task Upload_names_and_sizes_are_checked()
    {
        var acme = api.ClientFor(ApiFactory.AcmeKey);
        foreach (var name in new[] { "..%2F..%2Fescape.png", ".hidden", "a%2Fb.png" })
        {
            using var response = await acme.PutAsync($"/v1/uploads/{name}", new ByteArrayContent([1, 2, 3]));
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{name}: {response.StatusCode}");
        }
        using var big = await api.ClientFor(ApiFactory.SmallKey).PutAsync("/v1/uploads/big.bin", new ByteArrayContent(new byte[ApiFactory.SmallMaxUploadBytes + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.False(File.Exists(Path.Combine(api.DataDirectory, "objects", "tenants", "small", "uploads", "big.bin")));
    }
}
