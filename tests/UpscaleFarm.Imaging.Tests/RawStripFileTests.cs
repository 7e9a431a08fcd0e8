namespace UpscaleFarm.Imaging.Tests;

/// <summary>
/// Strips written to a strip file come back from libvips pixel for pixel, whatever the sample size,
/// band count, strip heights and the TIFF strip layout (several ~1 MiB strips, a short last one, odd sizes).
/// </summary>
public sealed class RawStripFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("upscalefarm-strips-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(37, 23, 1, 5)]       // odd sizes: the directory needs a padding byte
    [InlineData(300, 200, 3, 64)]
    [InlineData(1500, 700, 3, 256)]  // several TIFF strips, the last one shorter
    public void Bytes_round_trip(int width, int height, int bands, int rowsPerAppend)
    {
        VipsSetup.EnsureConfigured();
        var (written, format, read) = RoundTrip<byte>(width, height, bands, rowsPerAppend, i => (byte)(i * 31 + (i >> 9)));
        Assert.Equal(NetVips.Enums.BandFormat.Uchar, format);
        Assert.Equal(written, read);
    }

    [Theory]
    [InlineData(41, 17, 1, 4)]
    [InlineData(700, 300, 3, 128)]
    public void Sixteen_bit_samples_round_trip(int width, int height, int bands, int rowsPerAppend)
    {
        VipsSetup.EnsureConfigured();
        var (written, format, read) = RoundTrip<ushort>(width, height, bands, rowsPerAppend, i => (ushort)(i * 2654435761u >> 16));
        Assert.Equal(NetVips.Enums.BandFormat.Ushort, format);
        Assert.Equal(written, read);
    }

    [Theory]
    [InlineData(37, 23, 1, 1)]
    [InlineData(1500, 700, 3, 1)]  // several TIFF strips, the last one shorter
    [InlineData(700, 300, 3, 2)]
    public void A_file_laid_out_for_streaming_reads_back_like_the_strip_file(int width, int height, int bands, int bytesPerSample)
    {
        // The progressive assembler streams this layout (directory first, then the rows) into libvips.
        VipsSetup.EnsureConfigured();
        var pixels = new byte[(long)width * height * bands * bytesPerSample];
        for (long i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)(i * 31 + (i >> 9));
        var path = Path.Combine(_dir, "streaming.tif");
        using (var stream = File.Create(path))
        {
            stream.Write(UncompressedBigTiff.StreamingHeader(width, height, bands, bytesPerSample));
            stream.Write(pixels);
        }
        using var streamed = NetVips.Image.Tiffload(path, access: NetVips.Enums.Access.Sequential);
        Assert.Equal((width, height, bands), (streamed.Width, streamed.Height, streamed.Bands));
        Assert.Equal(bytesPerSample == 2 ? NetVips.Enums.BandFormat.Ushort : NetVips.Enums.BandFormat.Uchar, streamed.Format);
        Assert.Equal(pixels, bytesPerSample == 2
            ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(streamed.WriteToMemory<ushort>().AsSpan()).ToArray()
            : streamed.WriteToMemory<byte>());
    }

    [Fact]
    public void Opening_before_every_row_is_written_is_refused()
    {
        using var file = new RawStripFile<byte>(_dir, 10, 10, 1);
        file.Append(file.CreateStrip(4), 4);
        Assert.Throws<InvalidOperationException>(() => file.Open());
        Assert.Throws<InvalidOperationException>(() => file.Append(file.CreateStrip(7), 7));
    }

    private (T[] Written, NetVips.Enums.BandFormat Format, T[] Read) RoundTrip<T>(int width, int height, int bands, int rowsPerAppend, Func<long, T> pixel)
        where T : unmanaged
    {
        var all = new T[(long)width * height * bands];
        for (long i = 0; i < all.Length; i++)
            all[i] = pixel(i);
        using var file = new RawStripFile<T>(_dir, width, height, bands);
        for (var y = 0; y < height; y += rowsPerAppend)
        {
            var rows = Math.Min(rowsPerAppend, height - y);
            var strip = file.CreateStrip(rows);
            Array.Copy(all, (long)y * width * bands, strip, 0, (long)rows * width * bands);
            file.Append(strip, rows);
        }
        using var image = file.Open();
        Assert.Equal((width, height, bands), (image.Width, image.Height, image.Bands));
        return (all, image.Format, image.WriteToMemory<T>());
    }
}
