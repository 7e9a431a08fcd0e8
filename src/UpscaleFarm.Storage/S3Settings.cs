namespace UpscaleFarm.Storage;

/// <summary>Where the S3-compatible store is and how to reach it (appsettings section "S3" or environment).</summary>
public sealed record S3Settings
{
    /// <summary>Endpoint URL, e.g. http://127.0.0.1:4569 for s3rver or http://seaweedfs:8333.</summary>
    public required string ServiceUrl { get; init; }
    public required string Bucket { get; init; }
    public string AccessKey { get; init; } = "S3RVER";
    public string SecretKey { get; init; } = "S3RVER";
    public string Region { get; init; } = "us-east-1";

    /// <summary>
    /// The endpoint that presigned download URLs name, as clients outside the farm's network reach the
    /// store (e.g. http://localhost:8333 for compose's SeaweedFS); empty: <see cref="ServiceUrl"/>.
    /// </summary>
    public string PublicUrl { get; init; } = "";

    /// <summary>Objects larger than this are uploaded in parts of this size (S3's minimum part is 5 MiB).</summary>
    public int PartSize { get; init; } = 16 << 20;

    /// <summary>A connection silent (or whose sent data is unacknowledged) this long is dropped and its request retried (<see cref="S3HttpClientFactory"/>).</summary>
    public int DeadConnectionSeconds { get; init; } = 30;

    /// <summary>The longest one request may take until its response's headers arrive (a part's upload included).</summary>
    public int RequestTimeoutSeconds { get; init; } = 300;
}
