using System.Security.Cryptography;

namespace UpscaleFarm.Storage.Tests;

/// <summary>What every object store must do, run against each implementation.</summary>
public abstract class ObjectStoreContract
{
    protected abstract IObjectStore Store { get; }

    private readonly string _prefix = $"t{Guid.NewGuid():N}/";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_000_003)]
    [InlineData(12 * 1024 * 1024 + 7)] // past the 5 MiB part size: a three-part multipart upload on S3
    public async Task Objects_round_trip_byte_for_byte(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        var key = _prefix + $"tiles/{size}.bin";
        await Store.PutAsync(key, new MemoryStream(bytes));

        await using var read = await Store.OpenReadAsync(key);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(copy.ToArray()));
        Assert.Equal(size, copy.Length);
    }

    [Fact]
    public async Task An_object_opened_with_its_length_says_how_many_bytes_it_streams()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_001);
        var key = _prefix + "results/length.bin";
        await Store.PutAsync(key, new MemoryStream(bytes));

        await using (var opened = await Store.OpenWithLengthAsync(key))
        {
            Assert.Equal(bytes.Length, opened.Length);
            using var copy = new MemoryStream();
            await opened.Content.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
        }
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenWithLengthAsync(_prefix + "results/missing.bin"));
    }

    [Fact]
    public async Task Put_replaces_list_finds_and_delete_removes()
    {
        await Store.PutAsync(_prefix + "a/1", new MemoryStream([1]));
        await Store.PutAsync(_prefix + "a/1", new MemoryStream([2, 2]));
        await Store.PutAsync(_prefix + "a/2", new MemoryStream([3]));
        await Store.PutAsync(_prefix + "b/1", new MemoryStream([4]));

        Assert.Equal([_prefix + "a/1", _prefix + "a/2"], await ToList(Store.ListAsync(_prefix + "a/")));
        await using (var read = await Store.OpenReadAsync(_prefix + "a/1"))
            Assert.Equal(2, await read.ReadAsync(new byte[8]));

        await Store.DeleteAsync(_prefix + "a/1");
        Assert.False(await Store.ExistsAsync(_prefix + "a/1"));
        Assert.True(await Store.ExistsAsync(_prefix + "a/2"));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(_prefix + "a/1"));
    }

    [Fact]
    public async Task Delete_many_removes_those_that_exist_past_one_request_and_nothing_else()
    {
        var prefix = $"{_prefix}many/";
        var keys = Enumerable.Range(0, 1003).Select(i => $"{prefix}{i % 7:x2}/{i:D6}.out").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, ct) => await Store.PutAsync(key, new MemoryStream([1]), ct));
        await Store.PutAsync($"{prefix}kept", new MemoryStream([2]));

        // More than S3 takes in one request, and a key that was never there.
        await Store.DeleteManyAsync([.. keys, $"{prefix}missing"]);
        Assert.Equal([$"{prefix}kept"], await ToList(Store.ListAsync(prefix)));
        await Store.DeleteManyAsync([]);
    }

    [Fact]
    public async Task A_listing_gives_sizes_and_times_of_the_prefix_only()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Store.PutAsync(_prefix + "q/x/1", new MemoryStream(new byte[10]));
        await Store.PutAsync(_prefix + "q/2", new MemoryStream(new byte[7]));
        await Store.PutAsync(_prefix + "qq/3", new MemoryStream(new byte[100]));

        var listed = new List<StoredObject>();
        await foreach (var stored in Store.ListObjectsAsync(_prefix + "q/"))
            listed.Add(stored);
        Assert.Equal([(_prefix + "q/2", 7L), (_prefix + "q/x/1", 10L)], listed.Select(o => (o.Key, o.Size)).Order().ToList());
        Assert.All(listed, o => Assert.InRange(o.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("back\\slash")]
    [InlineData("")]
    public async Task Unsafe_keys_are_refused(string key) =>
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, new MemoryStream([1])));

    private static async Task<List<string>> ToList(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (var item in items)
            list.Add(item);
        return list;
    }
}
