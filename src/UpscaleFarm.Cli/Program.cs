using System.CommandLine;
using UpscaleFarm.Cli.Commands;

var root = new RootCommand("UpscaleFarm: Real-ESRGAN upscaling on ONNX Runtime, from one laptop to a GPU farm")
{
    UpscaleCommand.Create(),
    ModelsCommand.Create(),
    BenchCommand.Create(),
};
// A cancelled upscale finishes its current batch of tiles and cleans up; give it time to.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(2) });
