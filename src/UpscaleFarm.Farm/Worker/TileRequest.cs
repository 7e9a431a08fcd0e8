using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// One tile waiting for the model: its input raster, the core to keep and the bands to write. A tile whose
/// <paramref name="Abandoned"/> is cancelled before its batch is taken is dropped (its result cancelled); one already in a
/// batch runs to its end.
/// </summary>
internal sealed record TileRequest(TileRaster Input, PixelRect CoreInInput, int OutputBands, CancellationToken Abandoned = default)
{
    public TaskCompletionSource<TileRaster> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool BatchesWith(TileRequest other) =>
        Input.Width == other.Input.Width && Input.Height == other.Input.Height && Input.Bands == other.Input.Bands
        && Input.Is16Bit == other.Input.Is16Bit && OutputBands == other.OutputBands;
}
