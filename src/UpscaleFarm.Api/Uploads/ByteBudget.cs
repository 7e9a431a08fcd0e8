namespace UpscaleFarm.Api.Uploads;

/// <summary>The bytes a job may still upload, counted as they arrive (a declared length is never trusted).</summary>
public sealed class ByteBudget(long limit)
{
    private long _used;

    public void Spend(long bytes)
    {
        _used += bytes;
        if (_used > limit)
            throw UploadRejectedException.TooLarge($"the upload is over this tenant's limit of {limit} bytes");
    }
}
