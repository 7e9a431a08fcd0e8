using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;

namespace UpscaleFarm.Farm.Worker;

/// <summary>One tile waiting for the model: its input raster, the core to keep and the bands to write.</summary>
internal sealed record TileRequest(TileRaster Input, PixelRect CoreInInput, int OutputBands)
{
    public TaskCompletionSource<TileRaster> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool BatchesWith(TileRequest other) =>
        Input.Width == other.Input.Width && Input.Height == other.Input.Height && Input.Bands == other.Input.Bands
        && Input.Is16Bit == other.Input.Is16Bit && OutputBands == other.OutputBands;
}
