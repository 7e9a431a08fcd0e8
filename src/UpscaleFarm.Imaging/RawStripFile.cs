using System.Runtime.InteropServices;
using NetVips;

namespace UpscaleFarm.Imaging;

/// <summary>
/// An upscaled plane written top to bottom in strips to a temporary raw file, then read back by libvips
/// as a memory-mapped image. This keeps memory at one strip (output width × tile height) however large
/// the output is; the encoder then streams the file into the output format.
/// </summary>
public sealed class RawStripFile<T> : IDisposable where T : unmanaged
{
    private readonly FileStream _stream;
    private int _rowsWritten;

    public RawStripFile(string directory, int width, int height, int bands)
    {
        Width = width;
        Height = height;
        Bands = bands;
        FilePath = System.IO.Path.Combine(directory, $".upscalefarm-{Guid.NewGuid():N}.raw");
        _stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 20, FileOptions.DeleteOnClose);
    }

    public string FilePath { get; }
    public int Width { get; }
    public int Height { get; }
    public int Bands { get; }

    /// <summary>A strip buffer for <paramref name="rows"/> full-width rows.</summary>
    public T[] CreateStrip(int rows) => new T[(long)Width * rows * Bands];

    public void Append(T[] strip, int rows)
    {
        if (_rowsWritten + rows > Height)
            throw new InvalidOperationException("more rows than the image has");
        _stream.Write(MemoryMarshal.AsBytes(strip.AsSpan(0, Width * rows * Bands)));
        _rowsWritten += rows;
    }

    /// <summary>The finished plane as a libvips image (the file stays until this object is disposed).</summary>
    public Image Open()
    {
        if (_rowsWritten != Height)
            throw new InvalidOperationException($"only {_rowsWritten} of {Height} rows were written");
        _stream.Flush();
        var format = typeof(T) == typeof(ushort) ? Enums.BandFormat.Ushort : Enums.BandFormat.Uchar;
        return Image.Rawload(FilePath, Width, Height, Bands, format: format, access: Enums.Access.Sequential);
    }

    public void Dispose() => _stream.Dispose();
}
