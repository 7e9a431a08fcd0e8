namespace UpscaleFarm.Farm.Configuration;

/// <summary>Farm:Storage: where sources, tiles and results are kept. Written in any case ("s3", "FileSystem").</summary>
public enum FarmStorage
{
    /// <summary>Farm:DataDirectory/objects: one machine.</summary>
    FileSystem,

    /// <summary>An S3-compatible store (Farm:S3ServiceUrl, Farm:S3Bucket), shared by every process.</summary>
    S3,
}
