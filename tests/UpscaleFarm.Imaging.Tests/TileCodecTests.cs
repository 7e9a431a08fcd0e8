using NetVips;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Imaging.Tests;

/// <summary>Every tile codec is lossless, deterministic and refuses bytes it did not write.</summary>
public class TileCodecTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var codec in Codecs.Keys)
        foreach (var kind in new[] { "rgb8", "grey8", "rgba8", "grey16", "rgb16" })
            data.Add(codec, kind);
        return data;
    }

    private static readonly Dictionary<string, ITileCodec> Codecs = new ITileCodec[] { new Lz4TileCodec(), new ZstdTileCodec(), new PngTileCodec() }
        .ToDictionary(c => c.Name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tiles_round_trip_exactly_and_encode_deterministically(string codecName, string kind)
    {
        var codec = Codecs[codecName];
        var tile = Tile(kind);
        var encoded = codec.Encode(tile);
        var decoded = codec.Decode(encoded);

        Assert.Equal((tile.Width, tile.Height, tile.Bands, tile.Is16Bit), (decoded.Width, decoded.Height, decoded.Bands, decoded.Is16Bit));
        Assert.Equal(tile.Pixels, decoded.Pixels);
        Assert.Equal(encoded, codec.Encode(tile));
    }

    /// <summary>
    /// The worker encodes from and into pooled buffers, which are longer than the tile and hold an earlier
    /// tile's bytes: only the tile's own samples may be read, and only the returned part is the encoding.
    /// </summary>
    [Theory]
    [InlineData("raw+lz4")]
    [InlineData("raw+zstd1")]
    [InlineData("png1")]
    public void Pooled_buffers_longer_than_the_tile_encode_to_the_same_bytes(string codecName)
    {
        var codec = Codecs[codecName];
        var tile = Tile("rgb8");
        var pooled = new byte[tile.Pixels.Length + 4096];
        Array.Fill(pooled, (byte)0xA5);
        tile.Pixels.CopyTo(pooled, 0);
        var encoded = codec.Encode(tile with { Pixels = pooled }, length => Enumerable.Repeat((byte)0x5A, length + 1000).ToArray());

        Assert.Equal(codec.Encode(tile), encoded.ToArray());
        var decoded = codec.Decode(encoded, length => new byte[length + 77]);
        Assert.Equal(tile.Pixels, decoded.Pixels.AsSpan(0, tile.Pixels.Length).ToArray());
    }

    [Theory]
    [InlineData("raw+lz4")]
    [InlineData("raw+zstd1")]
    [InlineData("png1")]
    public void Truncated_or_foreign_bytes_are_refused(string codecName)
    {
        var codec = Codecs[codecName];
        var encoded = codec.Encode(Tile("rgb8"));
        Assert.Throws<InvalidDataException>(() => codec.Decode(encoded[..(encoded.Length * 2 / 3)]));
        var other = Codecs.Values.First(c => c.Name != codecName).Encode(Tile("rgb8"));
        Assert.Throws<InvalidDataException>(() => codec.Decode(other));
    }

    /// <summary>A 96×64 crop of a real photo in the requested layout.</summary>
    private static TileRaster Tile(string kind)
    {
        VipsSetup.EnsureConfigured();
        using var source = Image.NewFromFile(RepoPaths.SharedImage(kind.EndsWith("16", StringComparison.Ordinal) ? "chessboard_GRAY_U16.tif" : "chelsea.png"));
        var crop = source.Crop(40, 30, 96, 64);
        crop = kind switch
        {
            "rgb8" => crop,
            "grey8" => crop.ExtractBand(1),
            "rgba8" => crop.Bandjoin(crop.ExtractBand(0)),
            "grey16" => crop,
            "rgb16" => crop.Bandjoin(crop, crop) + new[] { 0, 100, 200 },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        crop = crop.Cast(kind.EndsWith("16", StringComparison.Ordinal) ? Enums.BandFormat.Ushort : Enums.BandFormat.Uchar);
        return new TileRaster(crop.Width, crop.Height, crop.Bands, crop.Format == Enums.BandFormat.Ushort, ImageBytes.Of(crop));
    }

}
