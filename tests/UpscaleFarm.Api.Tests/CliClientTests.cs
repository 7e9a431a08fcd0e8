using UpscaleFarm.Cli.ApiClient;

namespace UpscaleFarm.Api.Tests;

/// <summary>The HTTP client behind <c>upscalefarm submit</c>, against the real API.</summary>
[Collection(ApiCollection.Name)]
public sealed class CliClientTests(ApiFactory api) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("upscalefarm-submit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Files_are_submitted_followed_and_the_result_saved()
    {
        var a = Path.Combine(_dir, "a.png");
        var b = Path.Combine(_dir, "b.png");
        await File.WriteAllBytesAsync(a, Jobs.Png("chelsea.png", 12, 10));
        await File.WriteAllBytesAsync(b, Jobs.Png("astronaut.png", 10, 8));
        using var client = new JobApiClient(api.ClientFor(ApiFactory.AcmeKey));

        var submitted = await client.SubmitAsync([a, b], [("format", "webp"), ("tile", "16"), ("halo", "4")], idempotencyKey: null, CancellationToken.None);
        var id = submitted.GetProperty("id").GetString()!;
        await Jobs.WaitAsync(api.ClientFor(ApiFactory.AcmeKey), Guid.Parse(id));
        Assert.Equal("completed", (await client.GetAsync(id, CancellationToken.None)).GetProperty("state").GetString());

        var saved = await client.DownloadResultAsync(id, _dir + "/", CancellationToken.None);
        Assert.Equal(Path.Combine(_dir, $"{Guid.Parse(id):N}.zip"), saved);
        using var zip = System.IO.Compression.ZipFile.OpenRead(saved);
        Assert.Equal(["a.webp", "b.webp"], zip.Entries.Select(e => e.FullName));
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.part"));
    }

    [Fact]
    public async Task A_refusal_carries_the_problems_detail()
    {
        var notes = Path.Combine(_dir, "notes.png");
        await File.WriteAllTextAsync(notes, "not an image");
        using var client = new JobApiClient(api.ClientFor(ApiFactory.AcmeKey));
        var error = await Assert.ThrowsAsync<ApiException>(() => client.SubmitAsync([notes], [], null, CancellationToken.None));
        Assert.StartsWith("the API answered 422", error.Message);
        Assert.Contains("notes.png: not an image", error.Message);
    }
}
