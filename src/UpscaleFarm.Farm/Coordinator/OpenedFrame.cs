using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// A frame's source, copied to scratch and opened, with the plan read from its header (<see cref="FramePlanner.OpenAsync"/>):
/// what <see cref="FramePlanner.CutAsync"/> cuts tiles from. Disposing it closes the source and deletes the copy.
/// </summary>
public sealed class OpenedFrame(string path, SourceImage source, FrameRecord frame, IReadOnlyList<TileRecord> tiles) : IDisposable
{
    public SourceImage Source { get; } = source;

    /// <summary>The frame as planned: sizes, sample format, planes, ICC profile.</summary>
    public FrameRecord Frame { get; } = frame;

    /// <summary>Every tile of the frame, none cut yet.</summary>
    public IReadOnlyList<TileRecord> Tiles { get; } = tiles;

    public void Dispose()
    {
        Source.Dispose();
        File.Delete(path);
    }
}
