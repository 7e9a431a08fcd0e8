namespace UpscaleFarm.Models.Ncnn;

/// <summary>Reads the text form of an ncnn network description (.param, magic 7767517).</summary>
public static class NcnnParamFile
{
    private const string Magic = "7767517";

    public static IReadOnlyList<NcnnLayer> Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).ToArray();
        if (lines.Length < 2 || lines[0].Trim() != Magic)
            throw new ModelConversionException($"{Path.GetFileName(path)} is not an ncnn .param file (the first line must be {Magic})");
        var counts = Split(lines[1]);
        if (counts.Length != 2 || !int.TryParse(counts[0], out var layerCount))
            throw new ModelConversionException($"{Path.GetFileName(path)}: the second line must hold the layer and blob counts");

        var layers = new List<NcnnLayer>(layerCount);
        for (var i = 2; i < lines.Length; i++)
            layers.Add(ParseLayer(lines[i], i + 1, path));
        if (layers.Count != layerCount)
            throw new ModelConversionException($"{Path.GetFileName(path)} declares {layerCount} layers but has {layers.Count}");
        return layers;
    }

    private static NcnnLayer ParseLayer(string line, int lineNumber, string path)
    {
        var f = Split(line);
        try
        {
            var bottomCount = int.Parse(f[2]);
            var topCount = int.Parse(f[3]);
            var bottoms = f[4..(4 + bottomCount)];
            var tops = f[(4 + bottomCount)..(4 + bottomCount + topCount)];
            var pars = NcnnParamDict.Parse(f[(4 + bottomCount + topCount)..]);
            return new NcnnLayer(f[0], f[1], bottoms, tops, pars);
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw new ModelConversionException($"{Path.GetFileName(path)} line {lineNumber} is malformed: {e.Message}");
        }
    }

    private static string[] Split(string line) => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
