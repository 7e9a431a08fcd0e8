using Microsoft.Net.Http.Headers;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Api.Apis;

/// <summary>
/// A stored object streamed through the API as a download: its content type, its file name, and Content-Length
/// where the store gave the length (TypedResults.Stream takes a length only from a stream that can seek, and an S3
/// response cannot). The copy follows the request: a client that disconnects ends it and the store's download with it.
/// </summary>
public sealed class StoredObjectResult(OpenedObject stored, string contentType, string fileName) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        await using var content = stored;
        http.Response.ContentType = contentType;
        http.Response.ContentLength = stored.Length;
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        http.Response.Headers.ContentDisposition = disposition.ToString();
        try
        {
            await stored.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            // The client went away (the read is cancelled, or the write finds the connection reset): nobody is left to
            // answer, and disposing the object's stream closes the store's download.
        }
    }
}
