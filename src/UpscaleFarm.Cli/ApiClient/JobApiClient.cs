using System.Net.Http.Headers;
using System.Text.Json;

namespace UpscaleFarm.Cli.ApiClient;

/// <summary>
/// The job API over HTTP, for <c>upscalefarm submit</c>: files are streamed from disk into the
/// multipart body; a refusal's problem+json becomes an <see cref="ApiException"/> with its detail.
/// </summary>
public sealed class JobApiClient(HttpClient http) : IDisposable
{
    public static JobApiClient Create(string baseUrl, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new JobApiClient(http);
    }

    public async Task<JsonElement> SubmitAsync(IReadOnlyList<string> files, IEnumerable<(string Field, string Value)> fields, string? idempotencyKey,
        CancellationToken cancellation)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (field, value) in fields)
            form.Add(new StringContent(value), field);
        var streams = files.Select(File.OpenRead).ToList();
        try
        {
            for (var i = 0; i < files.Count; i++)
                form.Add(new StreamContent(streams[i], 1 << 20), "files", Path.GetFileName(files[i]));
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/jobs") { Content = form };
            if (idempotencyKey is not null)
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            using var response = await http.SendAsync(request, cancellation);
            return await ReadAsync(response, cancellation);
        }
        finally
        {
            foreach (var stream in streams)
                await stream.DisposeAsync();
        }
    }

    public async Task<JsonElement> GetAsync(string id, CancellationToken cancellation)
    {
        using var response = await http.GetAsync($"v1/jobs/{id}", cancellation);
        return await ReadAsync(response, cancellation);
    }

    /// <summary>Saves the result (an image, or a zip for a frame set) under a temporary name, renamed when complete.</summary>
    public async Task<string> DownloadResultAsync(string id, string output, CancellationToken cancellation)
    {
        using var response = await http.GetAsync($"v1/jobs/{id}/result", HttpCompletionOption.ResponseHeadersRead, cancellation);
        if (!response.IsSuccessStatusCode)
            await ReadAsync(response, cancellation);
        var name = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName ?? $"{id}.bin";
        var path = Directory.Exists(output) || output.EndsWith('/') ? Path.Combine(output, Path.GetFileName(name.Trim('"'))) : output;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".part";
        try
        {
            await using (var file = File.Create(temp))
                await response.Content.CopyToAsync(file, cancellation);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        return path;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        var body = await response.Content.ReadAsStringAsync(cancellation);
        JsonElement? json = null;
        try
        {
            json = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON: reported below with the status.
        }
        if (response.IsSuccessStatusCode && json is { } ok)
            return ok;
        var detail = json is { ValueKind: JsonValueKind.Object } problem && problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
        throw new ApiException($"the API answered {(int)response.StatusCode} {response.ReasonPhrase}{(detail is null ? "" : $": {detail}")}");
    }

    public void Dispose() => http.Dispose();
}
