using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// docs/configuration.md is the settings' reference: its tables must name every setting the options classes bind, and
/// nothing else, each with the code's default, so that the page cannot drift from the code.
/// </summary>
public sealed partial class ConfigurationDocTests
{
    /// <summary>Defaults that depend on the machine, described in words.</summary>
    private static readonly HashSet<string> ComputedDefaults = ["Farm:DataDirectory"];

    private static readonly HashSet<string> Readers = ["all", "api", "coordinator", "worker", "assembler", "cli"];

    private sealed record Row(string Key, string Default, string ReadBy);

    [Fact]
    public void Every_setting_has_a_row_and_every_row_is_a_setting()
    {
        var documented = Rows().Select(r => r.Key).ToList();
        Assert.Equal(documented.Count, documented.Distinct().Count());
        var bound = Settings().Select(s => s.Key).ToHashSet();
        Assert.Empty(bound.Except(documented).Order()); // settings with no row
        Assert.Empty(documented.Except(bound).Order()); // rows that name no setting
    }

    [Fact]
    public void Every_row_has_the_codes_default()
    {
        var defaults = Settings().ToDictionary(s => s.Key, s => s.Default);
        var wrong = Rows()
            .Where(row => defaults.ContainsKey(row.Key) && !ComputedDefaults.Contains(row.Key) && row.Default.Replace("`", "") != defaults[row.Key])
            .Select(row => $"{row.Key}: the page says {row.Default}, the code {defaults[row.Key]}");
        Assert.Empty(wrong);
    }

    [Fact]
    public void Every_row_names_who_reads_it() =>
        Assert.All(Rows(), row => Assert.All(row.ReadBy.Split(',', StringSplitOptions.TrimEntries), reader => Assert.Contains(reader, Readers)));

    /// <summary>The page's rows for "Farm:…" and "Api:…" keys: | `Key` | type | default | meaning | read by |.</summary>
    private static List<Row> Rows() =>
        File.ReadLines(Path.Combine(RepoPaths.Root, "docs", "configuration.md"))
            .Select(line => CellSeparator().Split(line.Trim()))
            .Where(cells => cells.Length == 7 && KeyCell().IsMatch(cells[1].Trim()))
            .Select(cells => new Row(cells[1].Trim().Trim('`'), cells[3].Trim(), cells[5].Trim()))
            .ToList();

    /// <summary>Every bindable setting under Farm and Api, with its default, as the configuration binder walks them.</summary>
    private static IEnumerable<(string Key, string Default)> Settings() =>
        Walk(FarmOptions.Section, new FarmOptions()).Concat(Walk(ApiOptions.Section, new ApiOptions()));

    private static IEnumerable<(string Key, string Default)> Walk(string prefix, object options)
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
                continue; // computed, not bound
            var key = $"{prefix}:{property.Name}";
            var value = property.GetValue(options);
            var type = property.PropertyType;
            if (IsOptionsClass(type))
            {
                foreach (var setting in Walk(key, value ?? Activator.CreateInstance(type)!))
                    yield return setting;
            }
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && IsOptionsClass(type.GetGenericArguments()[0]))
            {
                // A list of sections (Api:Tenants:0:Name, …): one row per setting of an entry, its index written N.
                foreach (var setting in Walk(key + ":N", Activator.CreateInstance(type.GetGenericArguments()[0])!))
                    yield return setting;
            }
            else
            {
                yield return (key, Format(value));
            }
        }
    }

    private static bool IsOptionsClass(Type type) => type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("UpscaleFarm", StringComparison.Ordinal) == true;

    /// <summary>A default as the page writes it: what a user would write in the setting, "empty" or "unset" where there is nothing.</summary>
    private static string Format(object? value) => value switch
    {
        null => "unset",
        string { Length: 0 } => "empty",
        string text => text,
        bool flag => flag ? "true" : "false",
        Enum choice => choice.ToString().ToLowerInvariant(),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => items.Cast<object?>().Select(Format).ToList() is { Count: > 0 } list ? string.Join(", ", list) : "empty",
        _ => value.ToString() ?? "",
    };

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    [GeneratedRegex(@"^`(Farm|Api):[A-Za-z0-9:]+`$")]
    private static partial Regex KeyCell();
}
