namespace UpscaleFarm.Cli.ApiClient;

/// <summary>The job API refused a request or could not be reached; the message is for the user.</summary>
public sealed class ApiException(string message) : Exception(message);
