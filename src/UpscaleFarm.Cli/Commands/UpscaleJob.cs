using UpscaleFarm.Imaging;

namespace UpscaleFarm.Cli.Commands;

/// <summary>One input file, where its result goes, and in which format; or why it cannot be done.</summary>
public sealed record UpscaleJob(string Input, string Output, ImageFormat Format, string? Error = null);
