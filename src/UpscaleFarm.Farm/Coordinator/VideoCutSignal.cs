using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>Wakes the <see cref="VideoCutService"/> when this process started a video job, or a cut ended, instead of at its next look.</summary>
public sealed class VideoCutSignal : WakeSignal;
