namespace UpscaleFarm.Models.Ncnn;

/// <summary>One line of an ncnn .param file: a layer, the blobs it reads and writes, and its parameters.</summary>
public sealed record NcnnLayer(string Type, string Name, IReadOnlyList<string> Bottoms, IReadOnlyList<string> Tops, NcnnParamDict Params)
{
    public override string ToString() => $"layer '{Name}' ({Type})";
}
