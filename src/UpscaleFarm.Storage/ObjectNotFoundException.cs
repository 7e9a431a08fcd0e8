namespace UpscaleFarm.Storage;

/// <summary>An object key with no object behind it.</summary>
public sealed class ObjectNotFoundException(string key) : Exception($"no object '{key}'")
{
    public string Key { get; } = key;
}
