using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Reference;

/// <summary>
/// ncnn Interp with scale factors (interp.cpp). The output is (int)(size * scale). Nearest reads
/// (int)(dst / scale). Bilinear and bicubic map a destination pixel to (dst + 0.5) * in / out - 0.5
/// (note: in / out, not 1 / scale), or to dst * (in - 1) / (out - 1) with align_corner.
/// </summary>
public static class ReferenceInterp
{
    public static Blob Nearest(Blob input, float heightScale, float widthScale)
    {
        var output = new Blob(input.C, (int)(input.H * heightScale), (int)(input.W * widthScale));
        float hs = 1f / heightScale, ws = 1f / widthScale;
        for (var c = 0; c < output.C; c++)
        for (var y = 0; y < output.H; y++)
        for (var x = 0; x < output.W; x++)
            output[c, y, x] = input[c, Math.Min((int)(y * hs), input.H - 1), Math.Min((int)(x * ws), input.W - 1)];
        return output;
    }

    public static Blob Bilinear(Blob input, float heightScale, float widthScale, bool alignCorner)
    {
        var output = new Blob(input.C, (int)(input.H * heightScale), (int)(input.W * widthScale));
        for (var y = 0; y < output.H; y++)
        {
            var (sy, fy) = LinearTap(input.H, output.H, y, alignCorner);
            for (var x = 0; x < output.W; x++)
            {
                var (sx, fx) = LinearTap(input.W, output.W, x, alignCorner);
                for (var c = 0; c < output.C; c++)
                {
                    // Horizontal first, then vertical, as ncnn's row buffers do.
                    var row0 = input[c, sy, sx] * (1 - fx) + input[c, sy, sx + 1] * fx;
                    var row1 = input[c, sy + 1, sx] * (1 - fx) + input[c, sy + 1, sx + 1] * fx;
                    output[c, y, x] = row0 * (1 - fy) + row1 * fy;
                }
            }
        }
        return output;
    }

    /// <summary>
    /// Keys cubic convolution with A = -0.75 over the four pixels sx-1..sx+2, indices clamped to the
    /// edge. ncnn folds the weights of taps outside the image onto the edge pixel instead of clamping
    /// indices; both give the same sum, so the whole image (borders included) is compared.
    /// </summary>
    public static Blob Bicubic(Blob input, float heightScale, float widthScale, bool alignCorner)
    {
        var output = new Blob(input.C, (int)(input.H * heightScale), (int)(input.W * widthScale));
        for (var y = 0; y < output.H; y++)
        {
            var (sy, fy) = SourceCoordinate(input.H, output.H, y, alignCorner);
            var wy = CubicWeights(fy);
            for (var x = 0; x < output.W; x++)
            {
                var (sx, fx) = SourceCoordinate(input.W, output.W, x, alignCorner);
                var wx = CubicWeights(fx);
                for (var c = 0; c < output.C; c++)
                {
                    var sum = 0f;
                    for (var i = 0; i < 4; i++)
                    {
                        var row = 0f;
                        for (var j = 0; j < 4; j++)
                            row += wx[j] * input[c, Math.Clamp(sy - 1 + i, 0, input.H - 1), Math.Clamp(sx - 1 + j, 0, input.W - 1)];
                        sum += wy[i] * row;
                    }
                    output[c, y, x] = sum;
                }
            }
        }
        return output;
    }

    /// <summary>ncnn's linear_coeffs: the left pixel and the weight of the right one, clamped at both borders.</summary>
    private static (int Source, float Fraction) LinearTap(int inSize, int outSize, int dst, bool alignCorner)
    {
        var (source, fraction) = SourceCoordinate(inSize, outSize, dst, alignCorner);
        if (source < 0)
            return (0, 0f);
        if (source >= inSize - 1)
            return (inSize - 2, 1f);
        return (source, fraction);
    }

    /// <summary>The source position of a destination pixel, split into its integer part and fraction.</summary>
    private static (int Source, float Fraction) SourceCoordinate(int inSize, int outSize, int dst, bool alignCorner)
    {
        var fx = alignCorner
            ? (float)(dst * ((double)(inSize - 1) / (outSize - 1)))
            : (float)((dst + 0.5) * ((double)inSize / outSize) - 0.5);
        var source = (int)MathF.Floor(fx);
        return (source, fx - source);
    }

    /// <summary>ncnn's interpolate_cubic: the weights of the pixels at distances 1 + f, f, 1 - f and 2 - f.</summary>
    private static float[] CubicWeights(float f)
    {
        const float A = -0.75f;
        float f0 = f + 1, f1 = f, f2 = 1 - f;
        var w0 = A * f0 * f0 * f0 - 5 * A * f0 * f0 + 8 * A * f0 - 4 * A;
        var w1 = (A + 2) * f1 * f1 * f1 - (A + 3) * f1 * f1 + 1;
        var w2 = (A + 2) * f2 * f2 * f2 - (A + 3) * f2 * f2 + 1;
        return [w0, w1, w2, 1f - w0 - w1 - w2];
    }
}
