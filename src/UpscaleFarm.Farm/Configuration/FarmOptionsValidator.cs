using System.Net;
using Microsoft.Extensions.Options;

namespace UpscaleFarm.Farm.Configuration;

/// <summary>
/// The farm's settings checked when a host starts (ValidateOnStart): a value that could only fail later, in the middle of
/// a job, stops the start instead, with the setting named as it is written (Farm:Worker:BatchSize, Farm__Worker__BatchSize).
/// </summary>
public sealed class FarmOptionsValidator : IValidateOptions<FarmOptions>
{
    public ValidateOptionsResult Validate(string? name, FarmOptions options)
    {
        var failures = new List<string>();
        void Check(bool valid, string setting, string rule)
        {
            if (!valid)
                failures.Add($"{FarmOptions.Section}:{setting} {rule}");
        }

        // Enum.Parse, which binds them, also takes numbers ("7"), which name no choice.
        Check(Enum.IsDefined(options.Transport), nameof(FarmOptions.Transport), "must be inmemory or rabbitmq");
        Check(Enum.IsDefined(options.Database), nameof(FarmOptions.Database), "must be sqlite or postgres");
        Check(Enum.IsDefined(options.Storage), nameof(FarmOptions.Storage), "must be filesystem or s3");
        Check(Enum.IsDefined(options.Worker.Device), "Worker:Device", "must be one of " + string.Join(", ", Enum.GetNames<UpscaleFarm.Engine.Inference.ExecutionDevice>()));
        Check(options.Database is not FarmDatabase.Postgres || options.DatabaseConnection.Length > 0,
            nameof(FarmOptions.DatabaseConnection), "must be set with Farm:Database=postgres");
        Check(options.HealthPort is >= 0 and <= IPEndPoint.MaxPort, nameof(FarmOptions.HealthPort), $"must be a port from 1 to {IPEndPoint.MaxPort}, or 0 for none");
        Check(options.OutageToleranceSeconds >= 0, nameof(FarmOptions.OutageToleranceSeconds), "must be 0 or more");
        Check(options.Worker.BatchSize >= 1, "Worker:BatchSize", "must be at least 1");
        Check(options.Worker.MaxTileAttempts >= 1, "Worker:MaxTileAttempts", "must be at least 1");
        Check(options.Coordinator.MaxVideoCuts >= 1, "Coordinator:MaxVideoCuts", "must be at least 1");
        Check(options.Assembler.PngCompression is >= 0 and <= 9, "Assembler:PngCompression", "must be 0 to 9");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
