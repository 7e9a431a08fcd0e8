namespace UpscaleFarm.Storage.Tests;

public sealed class FileSystemObjectStoreTests : ObjectStoreContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("objects-").FullName;

    protected override IObjectStore Store => new FileSystemObjectStore(_root);

    [Fact]
    public async Task A_failed_write_leaves_no_object_and_no_temporary_file()
    {
        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("x/broken", new FailingStream()));
        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Deleting_a_folders_last_object_removes_the_emptied_folders_and_only_them()
    {
        await Store.PutAsync("a/b/c/one", new MemoryStream([1]));
        await Store.PutAsync("a/b/d/two", new MemoryStream([2]));
        await Store.DeleteAsync("a/b/c/one");
        Assert.Equal(["b"], Directory.EnumerateDirectories(Path.Combine(_root, "a")).Select(Path.GetFileName));
        Assert.Equal(["d"], Directory.EnumerateDirectories(Path.Combine(_root, "a", "b")).Select(Path.GetFileName));
        await Store.DeleteAsync("a/b/d/two");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
        Assert.True(Directory.Exists(_root));
        // Writing into the emptied path makes its folders again.
        await Store.PutAsync("a/b/c/one", new MemoryStream([3]));
        Assert.True(await Store.ExistsAsync("a/b/c/one"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Gives some bytes, then fails, like a dropped upload.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public FailingStream() : base(new byte[100_000]) { }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position > 50_000 ? throw new IOException("connection reset") : base.ReadAsync(buffer, cancellationToken);
    }
}
