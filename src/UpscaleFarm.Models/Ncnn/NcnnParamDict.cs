using System.Globalization;

namespace UpscaleFarm.Models.Ncnn;

/// <summary>
/// The <c>id=value</c> pairs of an ncnn layer. ncnn writes arrays as <c>-233XX=count,v1,v2...</c>,
/// where the id is <c>-23300 - XX</c>; values are kept as text and read as int or float on demand.
/// </summary>
public sealed class NcnnParamDict
{
    private const int ArrayKeyBase = -23300;
    private readonly Dictionary<int, string> _scalars = new();
    private readonly Dictionary<int, string[]> _arrays = new();

    public static NcnnParamDict Parse(IEnumerable<string> pairs)
    {
        var dict = new NcnnParamDict();
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0 || !int.TryParse(pair.AsSpan(0, eq), NumberStyles.Integer, CultureInfo.InvariantCulture, out var key))
                throw new FormatException($"malformed parameter '{pair}'");
            var value = pair[(eq + 1)..];
            if (key <= ArrayKeyBase)
            {
                var items = value.Split(',');
                var count = ParseInt(items[0]);
                if (count != items.Length - 1)
                    throw new FormatException($"array parameter '{pair}' declares {count} values but has {items.Length - 1}");
                dict._arrays[ArrayKeyBase - key] = items[1..];
            }
            else
            {
                dict._scalars[key] = value;
            }
        }
        return dict;
    }

    public bool Has(int id) => _scalars.ContainsKey(id) || _arrays.ContainsKey(id);

    public int GetInt(int id, int defaultValue) =>
        _scalars.TryGetValue(id, out var v) ? ParseInt(v) : defaultValue;

    public float GetFloat(int id, float defaultValue) =>
        _scalars.TryGetValue(id, out var v) ? ParseFloat(v) : defaultValue;

    public float[] GetFloats(int id) =>
        _arrays.TryGetValue(id, out var v) ? Array.ConvertAll(v, ParseFloat) : [];

    public int[] GetInts(int id) =>
        _arrays.TryGetValue(id, out var v) ? Array.ConvertAll(v, ParseInt) : [];

    private static int ParseInt(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static float ParseFloat(string s) => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
