using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UpscaleFarm.ServiceDefaults;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Worker;

namespace UpscaleFarm.Cli.Commands;

/// <summary>
/// <c>upscalefarm serve --role coordinator|worker|assembler|all</c>: runs farm services until SIGTERM or
/// Ctrl+C. Settings come from appsettings.json in the working directory, --config FILE and environment
/// variables (Farm__Transport=rabbitmq, Farm__RabbitMqUrl=…, Farm__Database=postgres, …).
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var role = new Option<string[]>("--role")
        {
            Description = "the services to run: all, coordinator, worker, assembler (repeat or comma-separate)",
            DefaultValueFactory = _ => ["all"],
            AllowMultipleArgumentsPerToken = true,
        };
        var config = new Option<string?>("--config") { Description = "a JSON settings file (its \"Farm\" section)" };
        var command = new Command("serve", "run farm services: the coordinator, workers and the assembler") { role, config };
        command.SetAction(async (parse, cancellation) =>
        {
            FarmRoles roles;
            try
            {
                roles = ParseRoles(parse.GetValue(role)!);
            }
            catch (ArgumentException e)
            {
                Terminal.CliError.Write(e);
                return Terminal.CliError.Failure;
            }
            using var host = FarmHost.Build(_ => roles, configFile: parse.GetValue(config), configure: builder =>
            {
                builder.AddServiceDefaults(ServiceName(roles));
                if (FarmOptions.Read(builder.Configuration).HealthPort is > 0 and var port)
                    builder.AddHealthEndpoint(port);
            });
            // Before the run, which disposes the host's services; the report's figures outlive it.
            var cpuReport = host.Services.GetService<WorkerCpuReport>();
            await host.RunAsync(cancellation);
            // Peak memory, for the benchmarks that check the coordinator and assembler stay bounded.
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            Console.Error.WriteLine($"upscalefarm serve: stopped; peak RSS {self.PeakWorkingSet64 / (1 << 20)} MiB");
            if (cpuReport?.Summary() is { } cpu)
                Console.Error.WriteLine($"upscalefarm serve: {cpu}");
            return 0;
        });
        return command;
    }

    /// <summary>The service's name in traces and metrics (OTEL_SERVICE_NAME overrides it).</summary>
    public static string ServiceName(FarmRoles roles) => roles switch
    {
        FarmRoles.Coordinator => "upscalefarm-coordinator",
        FarmRoles.Worker => "upscalefarm-worker",
        FarmRoles.Assembler => "upscalefarm-assembler",
        _ => "upscalefarm",
    };

    public static FarmRoles ParseRoles(IEnumerable<string> values)
    {
        var roles = FarmRoles.None;
        foreach (var name in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            roles |= name.ToLowerInvariant() switch
            {
                "all" => FarmRoles.All,
                "coordinator" => FarmRoles.Coordinator,
                "worker" => FarmRoles.Worker,
                "assembler" => FarmRoles.Assembler,
                _ => throw new ArgumentException($"unknown role '{name}': use all, coordinator, worker or assembler"),
            };
        }
        return roles;
    }
}
