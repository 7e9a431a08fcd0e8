namespace UpscaleFarm.Storage;

/// <summary>An object as a listing shows it: what quotas count and retention ages.</summary>
public sealed record StoredObject(string Key, long Size, DateTimeOffset LastModified);
