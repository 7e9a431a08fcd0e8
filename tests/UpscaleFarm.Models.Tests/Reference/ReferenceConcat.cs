using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Reference;

/// <summary>ncnn Concat of [C,H,W] blobs along axis 0 (channels), 1 (rows) or 2 (columns); negative axes count from the end.</summary>
public static class ReferenceConcat
{
    public static Blob Compute(int axis, Blob[] inputs)
    {
        if (axis < 0)
            axis += 3;
        var first = inputs[0];
        var output = new Blob(
            axis == 0 ? inputs.Sum(b => b.C) : first.C,
            axis == 1 ? inputs.Sum(b => b.H) : first.H,
            axis == 2 ? inputs.Sum(b => b.W) : first.W);
        var offset = 0;
        foreach (var input in inputs)
        {
            for (var c = 0; c < input.C; c++)
            for (var y = 0; y < input.H; y++)
            for (var x = 0; x < input.W; x++)
            {
                if (axis == 0) output[offset + c, y, x] = input[c, y, x];
                else if (axis == 1) output[c, offset + y, x] = input[c, y, x];
                else output[c, y, offset + x] = input[c, y, x];
            }
            offset += axis == 0 ? input.C : axis == 1 ? input.H : input.W;
        }
        return output;
    }
}
