namespace UpscaleFarm.Farm.JobStore;

/// <summary>A job row: its options, state and progress counters.</summary>
public sealed record JobRecord
{
    public Guid Id { get; init; }
    public string Tenant { get; init; } = "";
    public JobState State { get; init; } = JobState.Queued;
    public string Model { get; init; } = "";
    /// <summary>How each result is made (the job store keeps them in their own columns of the jobs row).</summary>
    public Client.JobOptions Options { get; init; } = new();
    public int FramesTotal { get; init; }
    public int FramesDone { get; init; }
    /// <summary>Known once every frame is planned; 0 before.</summary>
    public int TilesTotal { get; init; }
    public int TilesDone { get; init; }
    public string? Error { get; init; }
    public long CreatedMs { get; init; }
    public long? PlannedMs { get; init; }
    public long? FinishedMs { get; init; }
    /// <summary>The submitter's Idempotency-Key: a second submission with it gets this job back.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>Where the API posts the job's end (completed, failed or cancelled), signed with the tenant's secret.</summary>
    public string? WebhookUrl { get; init; }
    /// <summary>A video job's source video (<see cref="FarmKeys.VideoSource"/>): its frames are muxed back into a video.</summary>
    public string? VideoKey { get; init; }
    /// <summary>A job-wide result (a video job's video); null when the results are the frames'.</summary>
    public string? ResultKey { get; init; }

    /// <summary><see cref="Client.JobPriority"/>: the job's tiles go to the queue before those of lower-priority jobs.</summary>
    public int Priority { get; init; } = Client.JobPriority.Default;

    /// <summary>The W3C traceparent of the submission: the job's steps are spans of this trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>
    /// Bytes reserved against the tenant's store quota, at submission, for what the job will write (its results and ICC
    /// profiles, from the frames' headers and the options); counted instead of those objects until the job ends.
    /// </summary>
    public long ReservedBytes { get; init; }

    /// <summary>Its tenant's weight when it was submitted: the tenant's share of the tile queue against others at the same priority.</summary>
    public int Weight { get; init; } = 1;

}
