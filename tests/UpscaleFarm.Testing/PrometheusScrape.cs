using System.Globalization;

namespace UpscaleFarm.Testing;

/// <summary>
/// One scrape of a process's Prometheus endpoint (Metrics:PrometheusPort), asked for as Prometheus asks (OpenMetrics
/// first, the classic text format next), with its samples parsed: name, labels and value.
/// </summary>
public sealed class PrometheusScrape
{
    /// <summary>The Accept header Prometheus 2.x and 3.x send when scraping.</summary>
    private const string PrometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private PrometheusScrape(string text, string? contentType)
    {
        Text = text;
        ContentType = contentType;
        Samples = text.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#')).Select(Parse).ToList();
    }

    public string Text { get; }
    public string? ContentType { get; }
    public IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> Samples { get; }

    /// <summary>The names of the samples that start with <paramref name="prefix"/>, each once, sorted.</summary>
    public IReadOnlyList<string> Names(string prefix) =>
        Samples.Select(s => s.Name).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).ToList();

    public static async Task<PrometheusScrape> ScrapeAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/metrics");
        request.Headers.TryAddWithoutValidation("Accept", PrometheusAccept);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return new PrometheusScrape(await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>Scrapes until <paramref name="ready"/> holds (metrics recorded just now may not have been collected yet).</summary>
    public static async Task<PrometheusScrape> WaitForAsync(int port, Func<PrometheusScrape, bool> ready, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var scrape = await ScrapeAsync(port);
            if (ready(scrape))
                return scrape;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the scrape of port {port} never had what was waited for:\n{scrape.Text}");
            await Task.Delay(500);
        }
    }

    /// <summary>name{label="value",…} value [timestamp]; label values may hold spaces, commas and escaped quotes.</summary>
    private static (string, IReadOnlyDictionary<string, string>, double) Parse(string line)
    {
        var labels = new Dictionary<string, string>();
        var end = line.IndexOfAny(['{', ' ']);
        var name = line[..end];
        var i = end;
        if (line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var equals = line.IndexOf('=', i);
                var key = line[i..equals].Trim(',', ' ');
                var text = new System.Text.StringBuilder();
                for (i = equals + 2; line[i] != '"'; i++)
                    text.Append(line[i] == '\\' ? line[++i] switch { 'n' => '\n', var c => c } : line[i]);
                labels[key] = text.ToString();
                i++;
                if (line[i] == ',')
                    i++;
            }
            i++;
        }
        var value = line[i..].Trim().Split(' ')[0];
        // Prometheus spells infinities +Inf and -Inf, which .NET does not parse.
        return (name, labels, value switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
        });
    }
}
