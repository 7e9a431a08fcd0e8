namespace UpscaleFarm.Api.Uploads;

/// <summary>Bytes that may still be written, counted as they arrive (a declared length is never trusted).</summary>
/// <param name="onSpend">Also spends each amount elsewhere (the tenant's store quota or scratch space, a larger budget), which may refuse it too.</param>
public sealed class ByteBudget(long limit, string what = "the upload", Action<long>? onSpend = null)
{
    private long _used;

    public void Spend(long bytes)
    {
        onSpend?.Invoke(bytes);
        _used += bytes;
        if (_used > limit)
            throw UploadRejectedException.TooLarge($"{what} is over this tenant's limit of {limit} bytes");
    }

    /// <summary>Copies a stream, spending the budget as it goes.</summary>
    public async Task CopyAsync(Stream source, Stream destination, CancellationToken cancellation)
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellation)) > 0)
        {
            Spend(read);
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellation);
        }
    }
}
