using System.Runtime.InteropServices;
using NetVips;

namespace UpscaleFarm.Imaging;

/// <summary>
/// An upscaled plane written top to bottom in strips to a temporary file of raw pixels, framed as an
/// uncompressed BigTIFF (<see cref="UncompressedBigTiff"/>), then read back by libvips strip by strip.
/// Memory stays at one strip (output width × tile height) however large the output is, both while the
/// strips are written and while the encoder streams the file into the output format.
/// </summary>
public sealed class RawStripFile<T> : IDisposable where T : unmanaged
{
    private readonly FileStream _stream;
    private int _rowsWritten;
    private bool _finished;

    public RawStripFile(string directory, int width, int height, int bands)
    {
        Width = width;
        Height = height;
        Bands = bands;
        FilePath = System.IO.Path.Combine(directory, $".upscalefarm-{Guid.NewGuid():N}.tif");
        _stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1 << 20, FileOptions.DeleteOnClose);
        UncompressedBigTiff.WriteHeader(_stream);
    }

    public string FilePath { get; }
    public int Width { get; }
    public int Height { get; }
    public int Bands { get; }

    /// <summary>A strip buffer for <paramref name="rows"/> full-width rows.</summary>
    public T[] CreateStrip(int rows) => new T[(long)Width * rows * Bands];

    public void Append(T[] strip, int rows)
    {
        if (_finished || _rowsWritten + rows > Height)
            throw new InvalidOperationException("more rows than the image has");
        _stream.Write(MemoryMarshal.AsBytes(strip.AsSpan(0, Width * rows * Bands)));
        _rowsWritten += rows;
    }

    /// <summary>The finished plane as a libvips image (the file stays until this object is disposed).</summary>
    public Image Open()
    {
        if (_rowsWritten != Height)
            throw new InvalidOperationException($"only {_rowsWritten} of {Height} rows were written");
        if (!_finished)
        {
            UncompressedBigTiff.WriteDirectory(_stream, Width, Height, Bands, Marshal.SizeOf<T>());
            _stream.Flush();
            _finished = true;
        }
        return Image.Tiffload(FilePath, access: Enums.Access.Sequential);
    }

    public void Dispose() => _stream.Dispose();
}
