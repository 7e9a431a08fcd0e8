namespace UpscaleFarm.Storage;

/// <summary>
/// An object opened for reading (<see cref="IObjectStore.OpenWithLengthAsync"/>) and its length in bytes where the
/// store reports it before the bytes arrive, so an HTTP answer can announce it (Content-Length) while it streams.
/// </summary>
public sealed record OpenedObject(Stream Content, long? Length) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
