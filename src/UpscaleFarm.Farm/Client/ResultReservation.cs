namespace UpscaleFarm.Farm.Client;

/// <summary>
/// What a job's results may take in the store, reserved against the tenant's quota before they are written
/// (<see cref="JobStore.JobRecord.ReservedBytes"/>): each frame's result at its uncompressed size, plus the encoders'
/// worst case (a sixteenth) and 4 KB for the container; a video's encoding at an eighth of its frames more. The API
/// reserves it from the headers when the job is made; a video's cut raises it if its decoded frames need more.
/// </summary>
public static class ResultReservation
{
    public static long Frame(FrameShape shape, double scale)
    {
        var raw = (long)Math.Min(Math.Round(shape.Width * scale) * Math.Round(shape.Height * scale) * shape.Bands * shape.BytesPerSample, long.MaxValue / 4);
        return raw + raw / 16 + 4096;
    }

    /// <summary>The encoded video beside its frames' results (<paramref name="frames"/>, as <see cref="Frame"/> summed).</summary>
    public static long Video(long frames) => frames / 8;
}
