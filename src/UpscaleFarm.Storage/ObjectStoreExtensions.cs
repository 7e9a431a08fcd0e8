using System.Buffers;

namespace UpscaleFarm.Storage;

/// <summary>Whole-object reads and key listings shared by every caller of an <see cref="IObjectStore"/>.</summary>
public static class ObjectStoreExtensions
{
    /// <summary>The keys under a prefix, in ordinal order (read whole before the first is returned, so the caller may delete as it goes).</summary>
    public static async IAsyncEnumerable<string> ListAsync(this IObjectStore store, string prefix,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var keys = new List<string>();
        await foreach (var stored in store.ListObjectsAsync(prefix, cancellation))
            keys.Add(stored.Key);
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
            yield return key;
    }

    /// <summary>
    /// Reads a small object (a tile, a profile) into memory. Fails with <see cref="ObjectTooLargeException"/> past
    /// <paramref name="maxBytes"/>, counted as the bytes arrive.
    /// </summary>
    public static async Task<byte[]> ReadAllBytesAsync(this IObjectStore store, string key, long maxBytes = long.MaxValue,
        CancellationToken cancellation = default)
    {
        await using var stream = await store.OpenReadAsync(key, cancellation);
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new ObjectTooLargeException(key, maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Reads a small object into an array rented from <paramref name="pool"/>, for hot paths that would
    /// otherwise allocate (and leave for the garbage collector) megabytes per object. The caller returns
    /// <c>Buffer</c> to the pool; its first <c>Length</c> bytes are the object.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)> RentAllBytesAsync(this IObjectStore store, string key, ArrayPool<byte> pool,
        CancellationToken cancellation = default)
    {
        await using var stream = await store.OpenReadAsync(key, cancellation);
        var buffer = pool.Rent(stream.CanSeek ? (int)Math.Min(stream.Length + 1, Array.MaxLength) : 1 << 20);
        var length = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length), cancellation)) > 0)
            {
                length += read;
                if (length < buffer.Length)
                    continue;
                var larger = pool.Rent(buffer.Length * 2);
                buffer.AsSpan(0, length).CopyTo(larger);
                pool.Return(buffer);
                buffer = larger;
            }
            return (buffer, length);
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Copies an object to a file, written under a temporary name and renamed when complete, so the
    /// path never holds part of an object. Fails with <see cref="ObjectTooLargeException"/> past
    /// <paramref name="maxBytes"/>, counted as the bytes arrive (the object's size is not trusted).
    /// </summary>
    public static async Task DownloadAsync(this IObjectStore store, string key, string path, long maxBytes = long.MaxValue,
        CancellationToken cancellation = default)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.part");
        try
        {
            await using (var source = await store.OpenReadAsync(key, cancellation))
            await using (var file = File.Create(temp))
            {
                var buffer = new byte[1 << 20];
                long total = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, cancellation)) > 0)
                {
                    if ((total += read) > maxBytes)
                        throw new ObjectTooLargeException(key, maxBytes);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
