using System.Net;
using NetVips;
using UpscaleFarm.Storage.Tests;

namespace UpscaleFarm.Api.Tests;

/// <summary>With S3 as the object store, a result is a redirect to a short-lived presigned URL that serves the image.</summary>
public sealed class S3ResultTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private sealed class S3ApiFactory(S3rverFixture s3, string publicUrl = "") : ApiFactory(new Dictionary<string, string?>
    {
        ["Farm:Storage"] = "s3",
        ["Farm:S3ServiceUrl"] = s3.Settings.ServiceUrl,
        ["Farm:S3Bucket"] = s3.Settings.Bucket,
        ["Farm:S3AccessKey"] = s3.Settings.AccessKey,
        ["Farm:S3SecretKey"] = s3.Settings.SecretKey,
        ["Farm:S3PublicUrl"] = publicUrl,
    });

    [Fact]
    public async Task The_result_redirects_to_a_presigned_url()
    {
        using var api = new S3ApiFactory(s3);
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("s3.png", Jobs.Png("chelsea.png", 12, 10))]))).Id);
        Assert.Equal("completed", job.State);

        using var redirect = await api.ClientFor(ApiFactory.AcmeKey, followRedirects: false).GetAsync($"/v1/jobs/{job.Id:N}/result");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var location = redirect.Headers.Location!;
        Assert.StartsWith(s3.Settings.ServiceUrl, location.ToString());
        var expires = int.Parse(System.Text.RegularExpressions.Regex.Match(location.Query, "X-Amz-Expires=([0-9]+)").Groups[1].Value);
        Assert.InRange(expires, 840, 905); // 15 minutes; the SDK rounds the part-second up (901 seen)

        // Any HTTP client can fetch it, with no API key.
        using var plain = new HttpClient();
        using var image = Image.NewFromBuffer(await plain.GetByteArrayAsync(location));
        Assert.Equal((48, 40), (image.Width, image.Height));
    }

    [Fact]
    public async Task A_public_url_is_what_the_presigned_url_names_and_it_serves_the_image()
    {
        // The farm reaches the store as 127.0.0.1; its clients know it by another name (here "localhost").
        var publicUrl = s3.Settings.ServiceUrl.Replace("127.0.0.1", "localhost");
        Assert.NotEqual(s3.Settings.ServiceUrl, publicUrl);
        using var api = new S3ApiFactory(s3, publicUrl);
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("pub.png", Jobs.Png("chelsea.png", 12, 10))]))).Id);

        using var redirect = await api.ClientFor(ApiFactory.AcmeKey, followRedirects: false).GetAsync($"/v1/jobs/{job.Id:N}/result");
        var location = redirect.Headers.Location!;
        Assert.StartsWith(publicUrl, location.ToString());
        using var plain = new HttpClient();
        using var image = Image.NewFromBuffer(await plain.GetByteArrayAsync(location));
        Assert.Equal((48, 40), (image.Width, image.Height));
    }
}
