using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetVips;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Storage;
using UpscaleFarm.Testing;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// With S3 as the object store, a result is a redirect to a short-lived presigned URL that serves the image, or with
/// Api:ResultDelivery proxy, the image itself streamed by the API.
/// </summary>
public sealed class S3ResultTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private sealed class S3ApiFactory(S3rverFixture s3, string publicUrl = "", string? delivery = null) : ApiFactory(new Dictionary<string, string?>
    {
        ["Farm:Storage"] = "s3",
        ["Farm:S3ServiceUrl"] = s3.Settings.ServiceUrl,
        ["Farm:S3Bucket"] = s3.Settings.Bucket,
        ["Farm:S3AccessKey"] = s3.Settings.AccessKey,
        ["Farm:S3SecretKey"] = s3.Settings.SecretKey,
        ["Farm:S3PublicUrl"] = publicUrl,
    }.Concat(delivery is null ? [] : [KeyValuePair.Create("Api:ResultDelivery", (string?)delivery)]).ToDictionary()); // null: not set, the default

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("redirect")]
    public async Task The_result_redirects_to_a_presigned_url(string? delivery)
    {
        using var api = new S3ApiFactory(s3, delivery: delivery);
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

    [Fact]
    public async Task With_proxy_delivery_the_api_streams_the_stored_result_itself()
    {
        using var api = new S3ApiFactory(s3, delivery: "proxy");
        var client = api.ClientFor(ApiFactory.AcmeKey, followRedirects: false);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("proxied.png", Jobs.Png("chelsea.png", 12, 10))]))).Id);
        Assert.Equal("completed", job.State);

        using var response = await client.GetAsync($"/v1/jobs/{job.Id:N}/result");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("proxied.png", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var body = await response.Content.ReadAsByteArrayAsync();

        // The exact bytes the farm stored, read from the store itself, and announced before they were sent.
        var frames = await api.Services.GetRequiredService<IJobStore>().GetFramesAsync(job.Id);
        using var store = new S3ObjectStore(s3.Settings);
        var stored = await store.ReadAllBytesAsync(frames[0].ResultKey!);
        Assert.Equal(stored, body);
        Assert.Equal(stored.Length, response.Content.Headers.ContentLength);
        using var image = Image.NewFromBuffer(body);
        Assert.Equal((48, 40), (image.Width, image.Height));
    }

    [Fact]
    public void An_unknown_result_delivery_stops_the_api_from_starting_and_names_the_setting()
    {
        using var api = new S3ApiFactory(s3, delivery: "presigned");
        // Bound as a choice: a value that names none fails its binding, before any request.
        var refusal = Assert.IsType<InvalidOperationException>(Record.Exception(() => api.CreateClient()));
        Assert.Contains("Api:ResultDelivery", refusal.Message);
    }
}
