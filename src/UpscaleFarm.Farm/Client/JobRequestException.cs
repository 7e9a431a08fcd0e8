namespace UpscaleFarm.Farm.Client;

/// <summary>
/// A job refused for its options, before anything was created: each field named with what is wrong
/// (the API's 400 problem details carry them as "errors"; the CLI prints them on one line).
/// </summary>
public sealed class JobRequestException(IReadOnlyDictionary<string, string[]> errors)
    : ArgumentException(string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static JobRequestException Of(string field, string error) => new(new Dictionary<string, string[]> { [field] = [error] });
}
