using System.Collections.Concurrent;
using NetVips;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// One plane of a frame's result as a stream that libvips reads while the plane is still being filled: the same
/// uncompressed BigTIFF as <see cref="RawStripFile{T}"/> writes (so the same loader, metadata and bytes), but with its
/// directory first (<see cref="UncompressedBigTiff.StreamingHeader"/>) and its rows following, full-width strips handed
/// over by the writer in order. libvips' tiffload_source reads the strips in order in sequential access, so the encoder
/// streams the result as the rows arrive; a read blocks until the next strip is there. It holds at most
/// <c>buffers</c> strips (<see cref="StripBuffer"/>, in memory or, for a very wide result, in scratch files): the writer
/// fills one while libvips reads another, and waits for a free one otherwise.
/// </summary>
internal sealed class StripPipe : IDisposable
{
    private readonly byte[] _header;
    private readonly long _size;
    private readonly long _stripBytes;
    private readonly bool _inFiles;
    private readonly string _scratch;
    private readonly SemaphoreSlim _free;
    private readonly ConcurrentBag<StripBuffer> _spare = [];
    private readonly ConcurrentBag<StripBuffer> _all = [];
    private readonly BlockingCollection<(StripBuffer Buffer, long Length)> _full = new();
    private readonly CancellationTokenSource _aborted = new();
    // The reader's side, only ever touched from libvips' reads and seeks, which it serialises.
    private long _position, _currentStart, _nextStart;
    private StripBuffer? _current;
    private long _currentLength;

    /// <param name="stripRows">The tallest strip, in rows: what a buffer holds.</param>
    /// <param name="inFiles">Strips in scratch files under <paramref name="scratch"/> rather than in memory.</param>
    public StripPipe(int width, int height, int bands, int bytesPerSample, int stripRows, int buffers, bool inFiles, string scratch)
    {
        Bands = bands;
        BytesPerRow = (long)width * bands * bytesPerSample;
        _stripBytes = BytesPerRow * stripRows;
        (_inFiles, _scratch) = (inFiles, scratch);
        _header = UncompressedBigTiff.StreamingHeader(width, height, bands, bytesPerSample);
        _size = _header.Length + ((long)BytesPerRow * height);
        _nextStart = _header.Length;
        _free = new SemaphoreSlim(Math.Max(1, buffers));
    }

    public int Bands { get; }

    public long BytesPerRow { get; }

    /// <summary>A buffer for the next strip (made once, then reused): waits while every buffer is full or being read.</summary>
    public async Task<StripBuffer> RentAsync(CancellationToken cancellation)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _aborted.Token);
        await _free.WaitAsync(either.Token);
        if (_spare.TryTake(out var buffer))
            return buffer;
        buffer = StripBuffer.Create(_stripBytes, _inFiles, _scratch);
        _all.Add(buffer);
        return buffer;
    }

    /// <summary>
    /// Hands a filled strip of <paramref name="rows"/> rows to the reader; the buffer is the pipe's until read. Once the pipe
    /// is aborted (the encoder failed) it throws OperationCanceledException, as <see cref="RentAsync"/> does, so that the
    /// encoder's failure (a full scratch disk, which the frame waits out) stays the cause rather than this writer's.
    /// </summary>
    public void Write(StripBuffer strip, int rows)
    {
        try
        {
            _full.Add((strip, rows * BytesPerRow));
        }
        catch (InvalidOperationException) when (_aborted.IsCancellationRequested)
        {
            throw new OperationCanceledException("the strip pipe was aborted", _aborted.Token);
        }
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
        source.OnSeek += Seek;
        return source;
    }

    /// <summary>
    /// libvips' read callback (on one of its threads): blocks until the data is there; 0 at the end, -1 once aborted or
    /// for data already handed back to the writer (a reader that looks behind the strip it is in, which libvips' sequential
    /// tiffload does not).
    /// </summary>
    private int Read(byte[] buffer, int length)
    {
        // An exception must not cross back into libvips: every failure is -1, a read error it reports as such.
        try
        {
            if (_position < _header.Length)
            {
                var count = (int)Math.Min(length, _header.Length - _position);
                _header.AsSpan((int)_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }
            while (true)
            {
                if (_current is not null && _position >= _currentStart && _position < _currentStart + _currentLength)
                {
                    var offset = _position - _currentStart;
                    var n = _current.Read(offset, buffer.AsSpan(0, (int)Math.Min(length, _currentLength - offset)));
                    _position += n;
                    return n;
                }
                if (_current is not null && _position < _currentStart)
                    return -1;
                // Past the strip in hand: it goes back to the writer, and the next is taken.
                ReleaseCurrent();
                if (_position < _nextStart)
                    return -1;
                if (!_full.TryTake(out var next, Timeout.Infinite, _aborted.Token))
                    return 0;
                (_current, _currentLength, _currentStart) = (next.Buffer, next.Length, _nextStart);
                _nextStart += next.Length;
            }
        }
        catch (Exception)
        {
            return -1;
        }
    }

    private long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _size + offset,
        };
        if (target < 0)
            return -1;
        _position = target;
        return target;
    }

    private void ReleaseCurrent()
    {
        if (_current is null)
            return;
        _spare.Add(_current);
        _current = null;
        _free.Release();
    }

    public void Dispose()
    {
        _aborted.Cancel();
        foreach (var buffer in _all)
            buffer.Dispose();
        _full.Dispose();
        _free.Dispose();
        _aborted.Dispose();
    }
}
