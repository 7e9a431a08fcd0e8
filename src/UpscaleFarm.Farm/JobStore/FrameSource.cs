namespace UpscaleFarm.Farm.JobStore;

/// <summary>A frame as submitted: where its source is in the object store, and its file name.</summary>
public sealed record FrameSource(string Key, string Name);
