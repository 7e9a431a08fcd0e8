using System.Net;
using System.Net.Http.Json;
using NetVips;
using UpscaleFarm.Api.Apis;
using UpscaleFarm.Imaging;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Api.Tests;

/// <summary>Test helpers: images to upload, submissions, and waiting for a job to end.</summary>
internal static class Jobs
{
    /// <summary>A crop of a shared test image as PNG bytes.</summary>
    public static byte[] Png(string sharedName, int width, int height)
    {
        VipsSetup.EnsureConfigured();
        using var source = Image.NewFromFile(RepoPaths.SharedImage(sharedName));
        using var crop = source.Crop(0, 0, width, height);
        return crop.PngsaveBuffer();
    }

    public static MultipartFormDataContent Form(IEnumerable<(string Name, byte[] Bytes)> files, params (string Field, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (field, value) in fields)
            form.Add(new StringContent(value), field);
        foreach (var (name, bytes) in files)
            form.Add(new ByteArrayContent(bytes), "files", name);
        return form;
    }

    public static async Task<JobView> SubmitAsync(HttpClient client, MultipartFormDataContent form, HttpStatusCode expected = HttpStatusCode.Created,
        string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = form };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!;
    }

    public static async Task<JobView> WaitAsync(HttpClient client, Guid id, Func<JobView, bool>? until = null)
    {
        until ??= job => job.State is "completed" or "failed" or "cancelled";
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var job = (await client.GetFromJsonAsync<JobView>($"/v1/jobs/{id:N}", ApiJson.Options))!;
            if (until(job))
                return job;
            Assert.True(DateTime.UtcNow < deadline, $"job {id:N} still {job.State} ({job.TilesDone}/{job.TilesTotal} tiles)");
            await Task.Delay(100);
        }
    }
}
