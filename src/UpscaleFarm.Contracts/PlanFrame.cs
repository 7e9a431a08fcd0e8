namespace UpscaleFarm.Contracts.V1;

/// <summary>
/// The coordinator's work item for one frame: cut it into tiles and publish them. Frames are planned
/// independently, so a frame set of thousands of frames starts producing tiles after its first frame,
/// and a redelivered PlanFrame only republishes the frame's unfinished tiles.
/// </summary>
public sealed record PlanFrame(Guid JobId, int Frame);
