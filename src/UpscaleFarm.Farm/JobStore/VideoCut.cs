namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// A video job's source waiting to be cut into the job's frames by the coordinator (<see cref="Coordinator.VideoCutter"/>),
/// with the submitting tenant's limits, which only the API knows: the API checked the video's headers against them, and
/// the cut holds the frames it actually decodes to the same limits. The row goes when the frames are recorded.
/// </summary>
/// <param name="VideoKey">The stored source video (<see cref="Messaging.FarmKeys.VideoSource"/>).</param>
/// <param name="Name">The video's file name as submitted: its frames are named after it ("clip-000000.png").</param>
/// <param name="MuxResult">True when the result is a video (the job's <see cref="JobRecord.VideoKey"/> is set), false for a zip
/// of frames: then the source goes once its frames are stored.</param>
/// <param name="MaxFrames">The most frames the job may have, counted by decoding, whatever the headers claimed.</param>
/// <param name="MaxPixels">The most pixels a frame may have.</param>
/// <param name="MaxDecodedBytes">The most the decoded frames may take at their raw size (3 bytes a pixel): the tenant's
/// uncompressed-content limit, and the scratch space one submission may hold.</param>
/// <param name="MaxVideoBytes">The most bytes the stored video may have: the tenant's upload limit, checked again as the
/// coordinator downloads it (the object's size is not trusted).</param>
public sealed record VideoCut(Guid JobId, string VideoKey, string Name, bool MuxResult, long MaxFrames, long MaxPixels, long MaxDecodedBytes,
    long MaxVideoBytes);
