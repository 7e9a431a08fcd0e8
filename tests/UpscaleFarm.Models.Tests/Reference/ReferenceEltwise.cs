using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Reference;

/// <summary>ncnn Eltwise over any number of same-shaped inputs: 0 product, 1 (weighted) sum, 2 maximum.</summary>
public static class ReferenceEltwise
{
    public static Blob Compute(int op, Blob[] inputs, float[] coefficients)
    {
        var output = new Blob(inputs[0].C, inputs[0].H, inputs[0].W);
        for (var i = 0; i < output.Data.Length; i++)
        {
            var values = inputs.Select(b => b.Data[i]).ToArray();
            output.Data[i] = op switch
            {
                0 => values.Aggregate(1f, (a, v) => a * v),
                1 => values.Select((v, k) => v * (coefficients.Length == 0 ? 1f : coefficients[k])).Sum(),
                2 => values.Max(),
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no such Eltwise operation"),
            };
        }
        return output;
    }
}
