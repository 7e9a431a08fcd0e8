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

    Task<bool> ExistsAsync(string key, CancellationToken cancellation = default);

    /// <summary>Removes the object if it exists.</summary>
    Task DeleteAsync(string key, CancellationToken cancellation = default);

    /// <summary>The keys under a prefix, in ordinal order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellation = default);
}
