namespace UpscaleFarm.Models.Tests.Support;

/// <summary>
/// Reproducible test data: every call takes its own seed, so a failing test sees the same numbers
/// on every run and adding a test never changes another test's data.
/// </summary>
public static class RandomValues
{
    public static float[] Floats(int count, int seed, float min = -1f, float max = 1f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
            values[i] = min + (float)random.NextDouble() * (max - min);
        return values;
    }

    public static Blob Blob(int channels, int height, int width, int seed, float min = -1f, float max = 1f) =>
        new(channels, height, width, Floats(channels * height * width, seed, min, max));

    /// <summary>The values as fp16 stores them, so a reference fed these matches fp16 weights exactly.</summary>
    public static float[] RoundedToHalf(float[] values) => Array.ConvertAll(values, v => (float)(Half)v);
}
