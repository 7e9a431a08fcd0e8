using System.Runtime.InteropServices;
using NetVips;

namespace UpscaleFarm.Imaging.Codecs;

/// <summary>An image's interleaved samples as bytes, whatever the sample type.</summary>
public static class ImageBytes
{
    public static byte[] Of(Image image)
    {
        var memory = image.WriteToMemory(out var size);
        try
        {
            var bytes = new byte[checked((int)size)];
            Marshal.Copy(memory, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            NetVips.NetVips.Free(memory);
        }
    }
}
