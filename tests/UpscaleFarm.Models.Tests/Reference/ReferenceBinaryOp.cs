using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Reference;

/// <summary>
/// ncnn BinaryOp on same-shaped blobs or a blob and a scalar. The "r" operations reverse the operands:
/// rsub is b - a, rdiv b / a, rpow b ^ a.
/// </summary>
public static class ReferenceBinaryOp
{
    public static float Apply(int op, float a, float b) => op switch
    {
        0 => a + b,
        1 => a - b,
        2 => a * b,
        3 => a / b,
        4 => Math.Max(a, b),
        5 => Math.Min(a, b),
        6 => MathF.Pow(a, b),
        7 => b - a,
        8 => b / a,
        9 => MathF.Pow(b, a),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no reference for this BinaryOp operation"),
    };

    public static Blob Compute(int op, Blob a, Blob b)
    {
        var output = new Blob(a.C, a.H, a.W);
        for (var i = 0; i < output.Data.Length; i++)
            output.Data[i] = Apply(op, a.Data[i], b.Data[i]);
        return output;
    }

    public static Blob WithScalar(int op, Blob a, float b) => a.Map(v => Apply(op, v, b));
}
