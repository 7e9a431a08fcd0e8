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

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Gives some bytes, then fails, like a dropped upload.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public FailingStream() : base(new byte[100_000]) { }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position > 50_000 ? throw new IOException("connection reset") : base.ReadAsync(buffer, cancellationToken);
    }
}
