using NetVips;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Engine.Tiling;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Engine.Upscaling;

/// <summary>
/// Runs the model over one image plane tile by tile, row of tiles by row of tiles, and appends each
/// finished row of cores to a raw strip file; memory stays at one strip plus one batch of tiles.
/// </summary>
internal static class TiledInference
{
    public static void Run<T>(ModelSession session, Image plane, TilePlan plan, int batchSize, RawStripFile<T> output,
        float maxValue, Action onTileDone, CancellationToken cancellation) where T : unmanaged
    {
        var scale = session.Scale;
        var strip = output.CreateStrip(plan.Tiles[0].Core.Height * scale);
        var outTileWidth = plan.InputWidth * scale;
        var outTileHeight = plan.InputHeight * scale;
        for (var row = 0; row < plan.Rows; row++)
        {
            var tiles = plan.Row(row).ToArray();
            for (var first = 0; first < tiles.Length; first += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var batch = tiles.AsSpan(first, Math.Min(batchSize, tiles.Length - first));
                var buffers = session.GetBuffers(batch.Length, plan.InputHeight, plan.InputWidth);
                for (var i = 0; i < batch.Length; i++)
                    PlanarPixels.Read(plane, batch[i].Input, buffers.InputImage(i));
                session.Run(buffers);
                for (var i = 0; i < batch.Length; i++)
                {
                    var tile = batch[i];
                    PlanarPixels.Write(buffers.OutputImage(i), outTileWidth, outTileHeight, tile.CoreInInput.Scale(scale),
                        strip.AsSpan(), output.Width, tile.Core.X * scale, 0, output.Bands, maxValue);
                    onTileDone();
                }
            }
            output.Append(strip, tiles[0].Core.Height * scale);
        }
    }
}
