using System.Runtime.CompilerServices;

namespace UpscaleFarm.Storage;

/// <summary>
/// Objects as files under a root directory, for the embedded single-process mode. Each write goes to
/// a temporary file in the same directory and is renamed into place, so readers never see a partial object.
/// </summary>
public sealed class FileSystemObjectStore(string root) : IObjectStore
{
    private const string TempSuffix = ".partial";

    public string Root { get; } = Path.GetFullPath(root);

    public async Task PutAsync(string key, Stream content, CancellationToken cancellation = default)
    {
        var path = PathOf(key);
        var temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            await using (var file = Create(temp))
                await content.CopyToAsync(file, cancellation);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellation = default)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key);
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellation = default) => Task.FromResult(File.Exists(PathOf(key)));

    public Task DeleteAsync(string key, CancellationToken cancellation = default)
    {
        var path = PathOf(key);
        File.Delete(path);
        // Folders the last object left go too: a frame's tiles are spread over hundreds of them.
        for (var folder = Path.GetDirectoryName(path); folder is not null && folder.Length > Root.Length; folder = Path.GetDirectoryName(folder))
        {
            try
            {
                Directory.Delete(folder);
            }
            catch (IOException)
            {
                break; // not empty (or gone already)
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A new file and its folders; a folder that an emptying delete removes meanwhile is made again.</summary>
    private static FileStream Create(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
            }
        }
    }

    public Task<Uri?> GetDownloadUrlAsync(string key, TimeSpan lifetime, string fileName, CancellationToken cancellation = default) =>
        Task.FromResult<Uri?>(null);

    public async IAsyncEnumerable<StoredObject> ListObjectsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        // Walk only the prefix's deepest folder, not the whole store.
        var folder = Path.Combine(Root, prefix[..(prefix.LastIndexOf('/') + 1)].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(folder))
            yield break;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            cancellation.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (file.EndsWith(TempSuffix, StringComparison.Ordinal) || !key.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            var info = new FileInfo(file);
            if (info.Exists)
                yield return new StoredObject(key, info.Length, info.LastWriteTimeUtc);
        }
        await Task.CompletedTask;
    }

    private string PathOf(string key) => Path.Combine(Root, ObjectKey.Validate(key).Replace('/', Path.DirectorySeparatorChar));
}
