namespace UpscaleFarm.Storage;

/// <summary>
/// Where sources, tiles and results live: a directory when embedded, S3-compatible storage when
/// distributed. Keys are relative, slash-separated paths (see <see cref="ObjectKey"/>). Writes are
/// all-or-nothing: a reader sees the whole object or none.
/// </summary>
public interface IObjectStore
{
    /// <summary>Stores the stream's content under the key, replacing any object there.</summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellation = default);

    /// <summary>Opens an object for reading; throws <see cref="ObjectNotFoundException"/> if there is none.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellation = default);

    /// <summary>
    /// Opens an object for reading with its length where the store knows it up front; throws
    /// <see cref="ObjectNotFoundException"/> if there is none. A stream that can seek (a file) knows its length.
    /// </summary>
    async Task<OpenedObject> OpenWithLengthAsync(string key, CancellationToken cancellation = default)
    {
        var content = await OpenReadAsync(key, cancellation);
        return new OpenedObject(content, content.CanSeek ? content.Length : null);
    }

    Task<bool> ExistsAsync(string key, CancellationToken cancellation = default);

    /// <summary>Removes the object if it exists.</summary>
    Task DeleteAsync(string key, CancellationToken cancellation = default);

    /// <summary>
    /// Removes those of the objects that exist. S3 takes up to 1 000 keys a request: a frame's tiles go in a few
    /// requests instead of two a pack, which count against the store's write rate as PUTs do (docs/scaling.md).
    /// </summary>
    async Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellation = default)
    {
        foreach (var key in keys)
            await DeleteAsync(key, cancellation);
    }

    /// <summary>
    /// A short-lived URL a client can download the object from directly, named <paramref name="fileName"/>
    /// when saved; null when the store has no such URLs (a directory), and the object must be streamed.
    /// </summary>
    Task<Uri?> GetDownloadUrlAsync(string key, TimeSpan lifetime, string fileName, CancellationToken cancellation = default);

    /// <summary>
    /// The objects under a prefix with their sizes and times, in no set order (keys alone, sorted:
    /// <see cref="ObjectStoreExtensions.ListAsync"/>). A directory store walks only the prefix's folder.
    /// </summary>
    IAsyncEnumerable<StoredObject> ListObjectsAsync(string prefix, CancellationToken cancellation = default);
}
