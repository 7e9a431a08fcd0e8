namespace UpscaleFarm.Cli.ApiClient;

/// <summary>
/// The job API could not serve a request for a reason that passes: it answered 502, 503 or 504 (restarting
/// behind a proxy, or one of its dependencies down), or gave no answer in time. The message says why, for the user.
/// </summary>
public sealed class ApiUnavailableException(string message) : Exception(message);
