using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Testing;

// upscalefarm-testhost ROLE CHECKPOINT: runs ROLE (coordinator, worker or assembler) with the settings `serve` reads
// (appsettings.json, Farm__… variables) and kills itself when the farm reaches CHECKPOINT.
if (args.Length != 2 || !Enum.TryParse<FarmRoles>(args[0], ignoreCase: true, out var role))
{
    Console.Error.WriteLine("usage: upscalefarm-testhost coordinator|worker|assembler CHECKPOINT");
    return 2;
}
using var host = FarmHost.Build(_ => role);
using var fault = CheckpointFault.KillAt(host.Services.GetRequiredService<FarmDiagnostics>(), args[1]);
await host.RunAsync();
return 0;
