using System.Diagnostics;
using NetVips;
using UpscaleFarm.Imaging.Codecs;

namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>
/// Tile transport codecs on real upscaled pixels: encode and decode speed on one core, and size.
/// </summary>
public static class CodecBenchmark
{
    public sealed record Figures(string Codec, double EncodeMpPerSecond, double DecodeMpPerSecond, double BytesPerMegapixel);

    /// <summary>Cuts <paramref name="upscaled"/> into square tiles of <paramref name="tileSize"/> output pixels.</summary>
    public static List<TileRaster> Tiles(string upscaled, int tileSize)
    {
        using var image = Image.NewFromFile(upscaled, access: Enums.Access.Random);
        var tiles = new List<TileRaster>();
        for (var y = 0; y + tileSize <= image.Height; y += tileSize)
        for (var x = 0; x + tileSize <= image.Width; x += tileSize)
        {
            using var crop = image.Crop(x, y, tileSize, tileSize);
            tiles.Add(new TileRaster(tileSize, tileSize, crop.Bands, crop.Format == Enums.BandFormat.Ushort, ImageBytes.Of(crop)));
        }
        return tiles;
    }

    public static Figures Measure(ITileCodec codec, IReadOnlyList<TileRaster> tiles, int runs)
    {
        var megapixels = tiles.Sum(t => t.Megapixels);
        var encoded = tiles.Select(codec.Encode).ToList(); // the bytes for decoding
        // Warm-up passes: the managed codecs reach optimised (tier-1) code only after repeated calls.
        for (var i = 0; i < 3; i++)
            foreach (var e in encoded)
                codec.Encode(codec.Decode(e));
        var encode = Median(runs, () => { foreach (var t in tiles) codec.Encode(t); });
        var decode = Median(runs, () => { foreach (var e in encoded) codec.Decode(e); });
        return new Figures(codec.Name, megapixels / encode, megapixels / decode, encoded.Sum(e => (double)e.Length) / megapixels);
    }

    private static double Median(int runs, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
