namespace UpscaleFarm.Farm.Assembler;

/// <summary>A progressive frame writer found its job cancelled or failed while it waited for tiles: it stops writing.</summary>
public sealed class JobEndedException() : Exception("the job ended before its frame was written");
