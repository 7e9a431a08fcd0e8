using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace UpscaleFarm.Cli.ApiClient;

/// <summary>
/// The job API over HTTP, for <c>upscalefarm submit</c>: files are streamed from disk into the
/// multipart body; a refusal's problem+json becomes an <see cref="ApiException"/> with its detail.
/// Every request rides through the API being unavailable for a while (<see cref="ApiOutages"/>).
/// </summary>
public sealed class JobApiClient(HttpClient http, ApiOutages? outages = null) : IDisposable
{
    /// <summary>A status request that gets no answer in this long counts as the API being unavailable.</summary>
    public static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(30);

    private readonly ApiOutages _outages = outages ?? ApiOutages.None;

    public static JobApiClient Create(string baseUrl, string key, ApiOutages? outages = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new JobApiClient(http, outages);
    }

    /// <summary>
    /// Submits the files as one job. Retried when the API is unavailable, so give an <paramref name="idempotencyKey"/>:
    /// a try whose answer was lost may have created the job, and the same key then returns it instead of a second one.
    /// </summary>
    public Task<JsonElement> SubmitAsync(IReadOnlyList<string> files, IEnumerable<(string Field, string Value)> fields, string? idempotencyKey,
        CancellationToken cancellation)
    {
        var fieldList = fields.ToList();
        return _outages.RideThroughAsync(async c =>
        {
            using var form = new MultipartFormDataContent();
            foreach (var (field, value) in fieldList)
                form.Add(new StringContent(value), field);
            var streams = files.Select(File.OpenRead).ToList();
            try
            {
                for (var i = 0; i < files.Count; i++)
                    form.Add(new StreamContent(streams[i], 1 << 20), "files", Path.GetFileName(files[i]));
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/jobs") { Content = form };
                if (idempotencyKey is not null)
                    request.Headers.Add("Idempotency-Key", idempotencyKey);
                using var response = await http.SendAsync(request, c);
                return await ReadAsync(response, c);
            }
            finally
            {
                foreach (var stream in streams)
                    await stream.DisposeAsync();
            }
        }, cancellation);
    }

    public Task<JsonElement> GetAsync(string id, CancellationToken cancellation) =>
        _outages.RideThroughAsync(async c =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(c);
            timeout.CancelAfter(StatusTimeout);
            try
            {
                using var response = await http.GetAsync($"v1/jobs/{id}", timeout.Token);
                return await ReadAsync(response, timeout.Token);
            }
            catch (OperationCanceledException) when (!c.IsCancellationRequested)
            {
                throw new ApiUnavailableException($"no answer within {StatusTimeout.TotalSeconds:0} s");
            }
        }, cancellation);

    /// <summary>
    /// Saves the result (an image, or a zip for a frame set) under a temporary name, renamed when complete. A download
    /// cut short starts again from a fresh request (with S3, a fresh presigned URL).
    /// </summary>
    public Task<string> DownloadResultAsync(string id, string output, CancellationToken cancellation) =>
        _outages.RideThroughAsync(async c =>
        {
            using var response = await http.GetAsync($"v1/jobs/{id}/result", HttpCompletionOption.ResponseHeadersRead, c);
            if (!response.IsSuccessStatusCode)
                await ReadAsync(response, c);
            var name = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName ?? $"{id}.bin";
            var path = Directory.Exists(output) || output.EndsWith('/') ? Path.Combine(output, Path.GetFileName(name.Trim('"'))) : output;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var temp = path + ".part";
            try
            {
                await using (var file = File.Create(temp))
                    await response.Content.CopyToAsync(file, c);
                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
            return path;
        }, cancellation);

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
        // Passing: the API (or a proxy in front of it) is restarting, or a dependency of the farm is down.
        if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
            // The detail without the API's own advice ("…; retry shortly"): retrying is what the caller does.
            throw new ApiUnavailableException(detail?.Split(';')[0] ?? $"it answered {(int)response.StatusCode} {response.ReasonPhrase}");
        throw new ApiException($"the API answered {(int)response.StatusCode} {response.ReasonPhrase}{(detail is null ? "" : $": {detail}")}");
    }

    public void Dispose() => http.Dispose();
}
