using System.CommandLine;
using UpscaleFarm.Cli.Commands;

var root = new RootCommand("UpscaleFarm: Real-ESRGAN upscaling on ONNX Runtime, from one laptop to a GPU farm")
{
    UpscaleCommand.Create(),
    ModelsCommand.Create(),
    ServeCommand.Create(),
    FarmCommand.Create(),
    SubmitCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
