using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using NetVips;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// One plane of a frame's result as a stream that libvips reads while the plane is still being filled: a binary PGM
/// or PPM (P5/P6; 16-bit samples big-endian at maxval 65535), header first, then full-width strips in order as the
/// writer hands them over. libvips' ppmload_source decodes it line by line in sequential access, so the encoder
/// streams the result as the rows arrive; its reads block until the next strip is there. Memory is at most
/// <c>buffers</c> strips: the writer fills one while libvips reads another, and waits for a free one otherwise.
/// </summary>
internal sealed class StripPipe : IDisposable
{
    private readonly byte[] _header;
    private readonly int _stripBytes;
    private readonly bool _is16Bit;
    private readonly SemaphoreSlim _free;
    private readonly ConcurrentBag<byte[]> _spare = [];
    private readonly BlockingCollection<(byte[] Buffer, int Length)> _full = new();
    private readonly CancellationTokenSource _aborted = new();
    private byte[]? _current;
    private int _currentLength, _offset, _headerOffset;

    /// <param name="stripRows">The tallest strip, in rows: what a buffer holds.</param>
    public StripPipe(int width, int height, int bands, bool is16Bit, int stripRows, int buffers)
    {
        _is16Bit = is16Bit;
        BytesPerRow = width * bands * (is16Bit ? 2 : 1);
        _stripBytes = checked(BytesPerRow * stripRows);
        _header = Encoding.ASCII.GetBytes($"{(bands == 1 ? "P5" : "P6")}\n{width} {height}\n{(is16Bit ? 65535 : 255)}\n");
        _free = new SemaphoreSlim(Math.Max(1, buffers));
    }

    public int BytesPerRow { get; }

    /// <summary>A buffer for the next strip (allocated once, then reused): waits while every buffer is full or being read.</summary>
    public async Task<byte[]> RentAsync(CancellationToken cancellation)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _aborted.Token);
        await _free.WaitAsync(either.Token);
        return _spare.TryTake(out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(_stripBytes);
    }

    /// <summary>Hands a filled strip of <paramref name="rows"/> rows (native byte order) to the reader; the buffer is the pipe's until read.</summary>
    public void Write(byte[] strip, int rows)
    {
        var length = rows * BytesPerRow;
        if (_is16Bit)
        {
            // PNM samples are big-endian.
            var samples = MemoryMarshal.Cast<byte, ushort>(strip.AsSpan(0, length));
            BinaryPrimitives.ReverseEndianness(samples, samples);
        }
        _full.Add((strip, length));
    }

    /// <summary>Every strip is written: the reader sees the end of the stream after the last.</summary>
    public void Complete() => _full.CompleteAdding();

    /// <summary>Stops both sides: the reader's next read fails (so the encoder stops) and a writer waiting for a buffer throws.</summary>
    public void Abort()
    {
        _aborted.Cancel();
        _full.CompleteAdding();
    }

    /// <summary>A libvips source over this pipe; keep it alive as long as the image loaded from it.</summary>
    public SourceCustom OpenSource()
    {
        var source = new SourceCustom();
        source.OnRead += Read;
        return source;
    }

    /// <summary>libvips' read callback (on one of its threads): blocks until data is there; 0 at the end, -1 once aborted.</summary>
    private int Read(byte[] buffer, int length)
    {
        // An exception must not cross back into libvips: every failure is -1, a read error it reports as such.
        try
        {
            if (_headerOffset < _header.Length)
            {
                var count = Math.Min(length, _header.Length - _headerOffset);
                _header.AsSpan(_headerOffset, count).CopyTo(buffer);
                _headerOffset += count;
                return count;
            }
            if (_current is null)
            {
                if (!_full.TryTake(out var next, Timeout.Infinite, _aborted.Token))
                    return 0;
                (_current, _currentLength, _offset) = (next.Buffer, next.Length, 0);
            }
            var n = Math.Min(length, _currentLength - _offset);
            _current.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            if (_offset == _currentLength)
            {
                _spare.Add(_current);
                _current = null;
                _free.Release();
            }
            return n;
        }
        catch (Exception)
        {
            return -1;
        }
    }

    public void Dispose()
    {
        _aborted.Cancel();
        _full.Dispose();
        _free.Dispose();
        _aborted.Dispose();
    }
}
