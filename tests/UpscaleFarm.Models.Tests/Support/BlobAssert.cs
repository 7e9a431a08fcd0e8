namespace UpscaleFarm.Models.Tests.Support;

/// <summary>Compares blobs value by value with a mixed absolute/relative fp32 tolerance.</summary>
public static class BlobAssert
{
    /// <summary>1e-4 absolute plus 1e-4 relative: fp32 sums of a few dozen products stay far inside it.</summary>
    public const float Tolerance = 1e-4f;

    public static void Close(Blob expected, Blob actual, float tolerance = Tolerance)
    {
        Assert.True(expected.C == actual.C && expected.H == actual.H && expected.W == actual.W,
            $"shape: expected {expected} but the converted model gave {actual}");
        for (var c = 0; c < expected.C; c++)
        for (var y = 0; y < expected.H; y++)
        for (var x = 0; x < expected.W; x++)
        {
            float e = expected[c, y, x], a = actual[c, y, x];
            if (!(Math.Abs(e - a) <= tolerance * (1 + Math.Abs(e))))
                Assert.Fail($"at [c={c}, y={y}, x={x}]: expected {e:R} but the converted model gave {a:R} (difference {Math.Abs(e - a):G3})");
        }
    }

    /// <summary>The largest absolute difference; used to show that a wrong reference would be caught.</summary>
    public static float MaxDifference(Blob a, Blob b)
    {
        Assert.Equal(a.Data.Length, b.Data.Length);
        return a.Data.Zip(b.Data, (x, y) => Math.Abs(x - y)).Max();
    }
}
