namespace UpscaleFarm.Contracts.V1;

/// <summary>Every frame of a video job is assembled: encode them into the result video with the source's audio and timing.</summary>
public sealed record MuxVideo(Guid JobId);
