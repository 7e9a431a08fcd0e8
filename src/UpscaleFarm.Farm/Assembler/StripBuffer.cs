using Microsoft.Win32.SafeHandles;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// One strip of a plane being assembled (output width × a row of tiles' height): the tiles of a row are pasted into it
/// at their places, then it is read top to bottom. In memory while a frame's strips fit Assembler:StripMemoryBytes; in a
/// scratch file otherwise (a very wide result), written and read with positioned I/O, so its pages are the kernel's
/// cache, which it writes back and drops as it needs, and not the assembler's memory.
/// </summary>
internal abstract class StripBuffer : IDisposable
{
    public abstract long Length { get; }

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/>; several threads may write other ranges at once.</summary>
    public abstract void Write(long offset, ReadOnlySpan<byte> bytes);

    /// <summary>Reads up to <paramref name="destination"/>'s length from <paramref name="offset"/>.</summary>
    public abstract int Read(long offset, Span<byte> destination);

    public virtual void Dispose() { }

    /// <summary>A buffer of <paramref name="length"/> bytes: in memory, or in a file under <paramref name="scratch"/> when <paramref name="inFile"/>.</summary>
    public static StripBuffer Create(long length, bool inFile, string scratch) =>
        inFile || length > Array.MaxLength ? new FileStrip(scratch, length) : new MemoryStrip(GC.AllocateUninitializedArray<byte>((int)length));

    private sealed class MemoryStrip(byte[] bytes) : StripBuffer
    {
        public override long Length => bytes.Length;

        public override void Write(long offset, ReadOnlySpan<byte> data) => data.CopyTo(bytes.AsSpan((int)offset));

        public override int Read(long offset, Span<byte> destination)
        {
            var count = (int)Math.Min(destination.Length, bytes.Length - offset);
            bytes.AsSpan((int)offset, count).CopyTo(destination);
            return count;
        }
    }

    private sealed class FileStrip : StripBuffer
    {
        private readonly SafeFileHandle _file;

        public FileStrip(string scratch, long length)
        {
            Directory.CreateDirectory(scratch);
            // Deleted when closed, or by the scratch sweeper after a crash; sparse until written.
            _file = File.OpenHandle(Path.Combine(scratch, $"strip-{Guid.NewGuid():N}.raw"), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.None, FileOptions.DeleteOnClose);
            RandomAccess.SetLength(_file, length);
            Length = length;
        }

        public override long Length { get; }

        public override void Write(long offset, ReadOnlySpan<byte> bytes) => RandomAccess.Write(_file, bytes, offset);

        public override int Read(long offset, Span<byte> destination) =>
            RandomAccess.Read(_file, destination[..(int)Math.Min(destination.Length, Length - offset)], offset);

        public override void Dispose() => _file.Dispose();
    }
}
