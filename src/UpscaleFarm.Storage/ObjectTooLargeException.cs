namespace UpscaleFarm.Storage;

public sealed class ObjectTooLargeException(string key, long maxBytes) : Exception($"'{key}' is over the limit of {maxBytes} bytes")
{
    public string Key { get; } = key;
}
