using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using UpscaleFarm.Cli.Terminal;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Cli.Commands;

/// <summary>
/// <c>upscalefarm farm submit|status|cancel</c>: talks to a running farm through its job store, object
/// store and broker (the same settings as <c>serve</c>), for operators and scripts.
/// </summary>
public static class FarmCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "a JSON settings file (its \"Farm\" section)" };
        var files = new Argument<string[]>("files") { Description = "the images; several make a frame set", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model") { Description = "model id (default: the catalog's default)" };
        var tile = new Option<int?>("--tile") { Description = "tile size override" };
        var halo = new Option<int?>("--halo") { Description = "halo override" };
        var format = new Option<string>("--format") { Description = "png, jpeg, webp or tiff", DefaultValueFactory = _ => "png" };
        var output = new Option<string?>("-o", "--output") { Description = "with --wait: a directory for the results" };
        var wait = new Option<bool>("--wait") { Description = "follow the job to its end with a progress bar" };
        var submit = new Command("submit", "submit images as one job") { files, model, tile, halo, format, output, wait, config };
        submit.SetAction(async (parse, cancellation) => await RunAsync(parse.GetValue(config), embeddedRoles: true, async host =>
        {
            var client = host.Services.GetRequiredService<FarmClient>();
            var inputs = parse.GetValue(files)!;
            foreach (var file in inputs.Where(f => !File.Exists(f)))
                throw new ArgumentException($"{file}: no such file");
            Guid id;
            try
            {
                id = await client.SubmitAsync(inputs, new JobRequest
                {
                    Model = parse.GetValue(model),
                    Options = new JobOptions { TileSize = parse.GetValue(tile), Halo = parse.GetValue(halo), Format = parse.GetValue(format)! },
                }, cancellation);
            }
            catch (Exception e) when (TransientFailures.IsTransient(e))
            {
                // Still down after Farm:OutageToleranceSeconds: nothing was submitted (unlike a failure while following).
                throw new InvalidOperationException($"{PublicErrors.Describe(e)}; the job was not submitted");
            }
            Console.WriteLine(id.ToString("N"));
            // An embedded farm lives in this process: leaving now would leave its job to the next start.
            if (!parse.GetValue(wait) && !Embedded(host))
                return 0;
            var job = await FollowAsync(client, id, cancellation);
            if (job.State != JobState.Completed)
                throw new InvalidOperationException($"job {job.Id:N} {job.State}: {job.Error}");
            if (parse.GetValue(output) is { } directory)
                foreach (var path in await client.DownloadResultsAsync(id, f => Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(inputs[f])}-x{job.Options.OutScale?.ToString() ?? "4"}.{job.Options.Format}"), cancellation))
                    Console.WriteLine(path);
            return 0;
        }));

        var jobId = new Argument<Guid>("job") { Description = "the job id" };
        var status = new Command("status", "show a job's state and progress") { jobId, config };
        status.SetAction(async (parse, cancellation) => await RunAsync(parse.GetValue(config), embeddedRoles: false, async host =>
        {
            var job = await host.Services.GetRequiredService<FarmClient>().GetAsync(parse.GetValue(jobId), cancellation)
                ?? throw new ArgumentException($"no job {parse.GetValue(jobId):N}");
            Console.WriteLine($"{job.Id:N} {job.State}: frames {job.FramesDone}/{job.FramesTotal}, tiles {job.TilesDone}/{job.TilesTotal}{(job.Error is null ? "" : $"; {job.Error}")}");
            return 0;
        }));

        var cancelId = new Argument<Guid>("job") { Description = "the job id" };
        var cancel = new Command("cancel", "cancel a job: its remaining tiles are dropped") { cancelId, config };
        cancel.SetAction(async (parse, cancellation) => await RunAsync(parse.GetValue(config), embeddedRoles: false, async host =>
        {
            var cancelled = await host.Services.GetRequiredService<FarmClient>().CancelAsync(parse.GetValue(cancelId), cancellation);
            Console.WriteLine(cancelled ? "cancelled" : "the job had already finished");
            return cancelled ? 0 : CliError.Failure;
        }));

        return new Command("farm", "submit to and follow a running farm (see serve)") { submit, status, cancel };
    }

    private static async Task<JobRecord> FollowAsync(FarmClient client, Guid id, CancellationToken cancellation)
    {
        JobRecord? last = null;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async context =>
        {
            var task = context.AddTask($"job {id:N}"[..12]);
            last = await client.WaitAsync(id, new Progress<JobRecord>(job =>
            {
                task.MaxValue = Math.Max(1, job.TilesTotal);
                task.Value = job.TilesDone;
            }), cancellation);
            task.Value = task.MaxValue;
        });
        return last!;
    }

    private static bool Embedded(IHost host) =>
        !host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FarmOptions>>().Value.UsesRabbitMq;

    /// <param name="embeddedRoles">Run every role in this process when the farm is embedded (in-memory transport):
    /// no other process can reach its queues.</param>
    private static async Task<int> RunAsync(string? config, bool embeddedRoles, Func<IHost, Task<int>> body)
    {
        try
        {
            using var host = FarmHost.Build(options => embeddedRoles && !options.UsesRabbitMq ? FarmRoles.All : FarmRoles.None,
                configFile: config, minimumLevel: Microsoft.Extensions.Logging.LogLevel.Warning);
            await host.StartAsync();
            try
            {
                return await body(host);
            }
            finally
            {
                await host.StopAsync();
            }
        }
        catch (OperationCanceledException)
        {
            CliError.Write("canceled");
            return CliError.Canceled;
        }
        catch (Exception e) when (e is InvalidOperationException || CliError.IsExpected(e))
        {
            CliError.Write(e.Message);
            return CliError.Failure;
        }
        catch (Exception e) when (TransientFailures.IsTransient(e))
        {
            // Still down after Farm:OutageToleranceSeconds of retries: say which dependency, not its stack.
            CliError.Write($"{PublicErrors.Describe(e)}; the job goes on in the farm: follow it with 'farm status'");
            return CliError.Failure;
        }
    }
}
