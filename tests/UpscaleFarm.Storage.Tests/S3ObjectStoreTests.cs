using UpscaleFarm.Testing;

namespace UpscaleFarm.Storage.Tests;

/// <summary>The contract against a real S3-compatible server (s3rver), through AWSSDK.S3.</summary>
public sealed class S3ObjectStoreTests(S3rverFixture server) : ObjectStoreContract, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly S3ObjectStore _store = new(server.Settings);

    protected override IObjectStore Store => _store;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task A_download_url_serves_the_object_to_a_plain_http_client()
    {
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        await _store.PutAsync("presigned/result.png", new MemoryStream(bytes));

        var url = await _store.GetDownloadUrlAsync("presigned/result.png", TimeSpan.FromMinutes(5), "chelsea-x4.png");

        Assert.NotNull(url);
        Assert.Equal("http", url.Scheme); // as the endpoint: a loopback server speaks plain http
        Assert.Contains("X-Amz-Signature=", url.Query);
        using var http = new HttpClient();
        using var response = await http.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());

        // The signature covers the key: the same query on another key is refused.
        var forged = new Uri(url.ToString().Replace("presigned/result.png", "presigned/other.png"));
        using var refused = await http.GetAsync(forged);
        Assert.False(refused.IsSuccessStatusCode);
    }
}
