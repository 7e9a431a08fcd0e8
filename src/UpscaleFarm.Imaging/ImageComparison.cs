using NetVips;

namespace UpscaleFarm.Imaging;

/// <summary>How closely two images of the same size agree, per 8-bit sample level.</summary>
public sealed record ImageComparison(double Psnr, double WithinThree, double WithinTen, int MaxDifference)
{
    /// <summary>
    /// Compares two images on their first three bands at 8 bits. A pixel is "within N" when each of its
    /// channels differs by at most N levels; PSNR is over all samples (infinity when identical).
    /// </summary>
    public static ImageComparison Compare(string pathA, string pathB)
    {
        VipsSetup.EnsureConfigured();
        using var a = Image.NewFromFile(pathA, access: Enums.Access.Sequential);
        using var b = Image.NewFromFile(pathB, access: Enums.Access.Sequential);
        return Compare(a, b);
    }

    public static ImageComparison Compare(Image a, Image b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
            throw new ArgumentException($"sizes differ: {a.Width}x{a.Height} and {b.Width}x{b.Height}");
        var pa = Rgb8(a);
        var pb = Rgb8(b);
        long within3 = 0, within10 = 0, pixels = pa.Length / 3;
        double squared = 0;
        var max = 0;
        for (long i = 0; i < pixels; i++)
        {
            var d = 0;
            for (var c = 0; c < 3; c++)
            {
                var diff = Math.Abs(pa[i * 3 + c] - pb[i * 3 + c]);
                squared += diff * diff;
                d = Math.Max(d, diff);
            }
            if (d <= 3) within3++;
            if (d <= 10) within10++;
            max = Math.Max(max, d);
        }
        var mse = squared / (pixels * 3);
        var psnr = mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
        return new ImageComparison(psnr, (double)within3 / pixels, (double)within10 / pixels, max);
    }

    private static byte[] Rgb8(Image image)
    {
        var x = image.Format == Enums.BandFormat.Ushort ? (image >> 8).Cast(Enums.BandFormat.Uchar) : image.Cast(Enums.BandFormat.Uchar);
        x = x.Bands switch
        {
            1 or 2 => x.ExtractBand(0).Bandjoin(x.ExtractBand(0), x.ExtractBand(0)),
            _ => x.ExtractBand(0, 3),
        };
        return x.WriteToMemory<byte>();
    }

    public override string ToString() =>
        $"PSNR {(double.IsInfinity(Psnr) ? "inf" : Psnr.ToString("F1"))} dB, {WithinThree:P1} within ±3, {WithinTen:P1} within ±10, max {MaxDifference}";
}
