using System.Text.RegularExpressions;

namespace UpscaleFarm.Farm.Client;

/// <summary>
/// What of a failure a tenant may see. Errors the farm raises for the tenant's own input (a bad image,
/// video or option) keep their message; anything else (a bug, an outage, a library's own words) becomes
/// one fixed sentence, with the detail left to the logs and traces, which carry the job's id and trace id.
/// Every message shown also passes <see cref="Scrub"/>, so no server path survives even in a libvips or
/// framework message that quoted one.
/// </summary>
public static partial class PublicErrors
{
    public const string Internal = "an internal error stopped it; the operators have the details in the logs under this job's id";

    /// <summary>Exception types (by short name, as MassTransit's faults carry them) whose messages are written for the user.</summary>
    private static readonly HashSet<string> UserFacing = new(StringComparer.Ordinal)
    {
        "ImageInputException", "ImageOutputException", "VideoException", "UnknownModelException", "JobRequestException",
    };

    /// <summary>Failures of a dependency, by exception type: the tenant learns which one failed, not how.</summary>
    private static readonly Dictionary<string, string> Dependencies = new(StringComparer.Ordinal)
    {
        ["ObjectNotFoundException"] = "a file of the job is missing from the object store",
        ["ObjectTooLargeException"] = "a file of the job is over its size limit",
        ["AmazonS3Exception"] = "the object store failed or refused a request",
        ["HttpRequestException"] = "the object store could not be reached",
        ["NpgsqlException"] = "the job store could not be reached",
        ["PostgresException"] = "the job store refused a request",
        ["SqliteException"] = "the job store refused a request",
        ["RabbitMqConnectionException"] = "the message broker could not be reached",
        ["ScratchFullException"] = "the farm's scratch disk is full",
    };

    /// <summary>The farm's dependencies by their public names, and the exception types (short names) that come from each.</summary>
    private static readonly (string Dependency, string[] Types)[] DependencyTypes =
    [
        (JobStore, ["NpgsqlException", "PostgresException", "SqliteException"]),
        (ObjectStore, ["AmazonS3Exception", "AmazonServiceException", "AmazonClientException", "HttpRequestException"]),
        (MessageBroker, ["RabbitMqConnectionException", "BrokerUnreachableException", "ConnectionException"]),
    ];

    public const string JobStore = "the job store";
    public const string ObjectStore = "the object store";
    public const string MessageBroker = "the message broker";

    /// <summary>
    /// Which dependency an exception (or one it wraps) came from, by its public name ("the job store"), for an
    /// answer that says what is unavailable without saying how; null when it is none of the farm's.
    /// </summary>
    public static string? DependencyOf(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
            foreach (var (dependency, types) in DependencyTypes)
                if (types.Contains(current.GetType().Name))
                    return dependency;
        return null;
    }

    public static bool IsUserFacing(Exception e) => UserFacing.Contains(e.GetType().Name);

    /// <param name="exceptionType">A full or short type name.</param>
    public static bool IsUserFacing(string exceptionType) => UserFacing.Contains(exceptionType[(exceptionType.LastIndexOf('.') + 1)..]);

    /// <summary>The exception's message if it is meant for the user, else <see cref="Internal"/>; scrubbed either way.</summary>
    public static string Describe(Exception e) => Describe(e.GetType().Name, e.Message);

    public static string Describe(string exceptionType, string message)
    {
        var name = exceptionType[(exceptionType.LastIndexOf('.') + 1)..];
        return UserFacing.Contains(name) ? Scrub(message) : Dependencies.GetValueOrDefault(name, Internal);
    }

    /// <summary>
    /// Replaces absolute file paths (two or more segments) with "(file)" and drops .NET's "(Parameter 'x')" suffix. The
    /// API's own routes (/v1/…), which messages name to say what to do next, are not server paths and stay.
    /// </summary>
    public static string Scrub(string message) =>
        ParameterSuffix().Replace(AbsolutePath().Replace(message, "(file)"), "");

    // A '/' that does not follow a word, a dot or a colon (so URLs' "//" and ratios like 3/4 are left alone), then two or more
    // segments; not the API's routes.
    [GeneratedRegex(@"(?<![\w.:/])/(?!v1/)(?:[^\s/""'<>|()]+/)+[^\s/""'<>|(),;]*")]
    private static partial Regex AbsolutePath();

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();
}
