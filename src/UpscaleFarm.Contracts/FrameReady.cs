namespace UpscaleFarm.Contracts.V1;

/// <summary>Every tile of a frame is counted; the assembler may join them into the frame's result.</summary>
public sealed record FrameReady(Guid JobId, int Frame);
