using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Cli.Terminal;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Engine.Upscaling;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Cli.Commands;

/// <summary>
/// Runs <c>upscale</c> through an embedded farm in this process: the same coordinator, worker and assembler
/// as a distributed farm, on MassTransit's in-memory transport, SQLite and a filesystem object store. Their
/// data lives in a hidden working directory beside the outputs (big scans need disk where the results go,
/// not in /tmp) and is removed at the end, also on Ctrl+C. Each input is one job; results are written whole
/// and then renamed, so an output file is either complete or absent.
/// </summary>
public sealed class EmbeddedUpscale(ModelCatalog catalog, ModelEntry model, UpscaleSettings settings, ExecutionDevice device, int quality)
{
    public async Task<int> RunAsync(IReadOnlyList<UpscaleJob> planned, CancellationToken cancellation)
    {
        var stopwatch = Stopwatch.StartNew();
        var jobs = planned.Select(Check).ToList();
        foreach (var job in jobs.Where(j => j.Error is not null))
            CliError.Write(job.Error!);
        var runnable = jobs.Where(j => j.Error is null).ToList();

        var results = new List<(CheckedJob Job, string Line)>();
        var deviceName = device.ToString();
        if (runnable.Count > 0)
        {
            var workDirectory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(runnable[0].Output))!, $".upscalefarm-{Guid.NewGuid():N}");
            try
            {
                using var host = FarmHost.Build(_ => FarmRoles.All, useDefaults: false, minimumLevel: LogLevel.Critical,
                    farm: farm => Configure(farm, workDirectory));
                await host.StartAsync(cancellation);
                try
                {
                    // Loads the model before any upload: a model that cannot run fails here, once.
                    deviceName = host.Services.GetRequiredService<Farm.Worker.TileInference>().Prepare(model.Id);
                    results.AddRange(await RunJobsAsync(host.Services.GetRequiredService<FarmClient>(), runnable, cancellation));
                }
                finally
                {
                    using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await host.StopAsync(stopping.Token);
                }
            }
            finally
            {
                DeleteWorkDirectory(workDirectory);
            }
        }

        var failures = jobs.Count - results.Count;
        var megapixels = results.Sum(r => r.Job.InputMegapixels);
        foreach (var (_, line) in results)
            Console.WriteLine(line);
        Console.WriteLine($"{results.Count} upscaled, {failures} failed; model {model.Id} on {deviceName}; " +
                          $"{megapixels:F2} input MP in {stopwatch.Elapsed.TotalSeconds:F1} s ({megapixels / stopwatch.Elapsed.TotalSeconds:F3} MP/s)");
        return failures == 0 ? 0 : CliError.Failure;
    }

    /// <summary>Submits every job, follows them with a progress bar each, and fetches each result as it completes.</summary>
    private async Task<List<(CheckedJob Job, string Line)>> RunJobsAsync(FarmClient client, IReadOnlyList<CheckedJob> jobs, CancellationToken cancellation)
    {
        var ids = new List<Guid>();
        try
        {
            foreach (var job in jobs)
                ids.Add(await client.SubmitAsync([job.Input], Request(job), cancellation));
            var lines = new string?[jobs.Count];
            ProgressDisplay.Run(progressFor =>
                Task.WhenAll(jobs.Select(async (job, i) =>
                {
                    var progress = progressFor(Path.GetFileName(job.Input));
                    var done = await client.WaitAsync(ids[i], new Progress<JobRecord>(j => progress.Report(new UpscaleProgress(j.TilesDone, j.TilesTotal))), cancellation);
                    lines[i] = await FinishAsync(client, ids[i], done, job, cancellation);
                })).GetAwaiter().GetResult());
            return jobs.Zip(lines).Where(r => r.Second is not null).Select(r => (r.First, r.Second!)).ToList();
        }
        catch (OperationCanceledException)
        {
            // Stop the farm's work on them before the host stops; their outputs were never written.
            foreach (var id in ids)
                await client.CancelAsync(id, CancellationToken.None);
            throw;
        }
    }

    private static async Task<string?> FinishAsync(FarmClient client, Guid id, JobRecord job, CheckedJob request, CancellationToken cancellation)
    {
        if (job.State != JobState.Completed)
        {
            CliError.Write(job.Error ?? $"{Path.GetFileName(request.Input)}: {job.State}");
            return null;
        }
        await client.DownloadResultsAsync(id, _ => request.Output, cancellation);
        var frame = (await client.GetFramesAsync(id, cancellation)).Single();
        var scale = job.Options.OutScale ?? frame.Scale;
        return string.Create(CultureInfo.InvariantCulture,
            $"{request.Output}: {frame.Width}x{frame.Height} -> {(int)Math.Round(frame.Width * scale)}x{(int)Math.Round(frame.Height * scale)}, " +
            $"{job.TilesTotal} tiles, {((job.FinishedMs ?? job.CreatedMs) - job.CreatedMs) / 1000.0:F1} s");
    }

    /// <summary>The checks that need no farm, so a bad input or output fails before anything is copied:
    /// the output's directory is writable, and the input's header is readable and within the limits.</summary>
    private CheckedJob Check(UpscaleJob job)
    {
        if (job.Error is not null)
            return new CheckedJob(job.Input, job.Output, job.Format, 0, job.Error);
        try
        {
            ImageEncoder.CheckWritable(job.Output);
            using var source = SourceImage.Open(job.Input, settings.Limits);
            return new CheckedJob(job.Input, job.Output, job.Format, source.Width * (double)source.Height / 1e6, null);
        }
        catch (Exception e) when (e is ImageInputException or ImageOutputException)
        {
            return new CheckedJob(job.Input, job.Output, job.Format, 0, e.Message);
        }
    }

    private JobRequest Request(CheckedJob job) => new()
    {
        Model = model.Id,
        Options = new JobOptions
        {
            OutScale = settings.OutScale, Format = ImageFormats.Extension(job.Format).TrimStart('.'), Quality = quality, TileSize = settings.TileSize,
            Halo = settings.Halo, Alpha = settings.Alpha,
        },
    };

    /// <summary>The embedded farm: its data in the work directory, this command's model folder, batch, device and limits.</summary>
    private void Configure(FarmOptions farm, string workDirectory)
    {
        farm.DataDirectory = workDirectory;
        farm.ModelsDirectory = catalog.Directory;
        // Each run starts with an empty work directory: there is nothing to resume.
        farm.ResumeOnStart = false;
        farm.Worker.BatchSize = settings.BatchSize;
        farm.Worker.Device = device;
        farm.Limits.MaxInputPixels = settings.Limits.MaxInputPixels;
        farm.Limits.MaxInputBytes = settings.Limits.MaxInputBytes;
        farm.Limits.MaxSide = settings.Limits.MaxSide;
    }

    private static void DeleteWorkDirectory(string path)
    {
        for (var attempt = 0; Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100); // a file still being closed by a stopping role
            }
        }
    }

    private sealed record CheckedJob(string Input, string Output, ImageFormat Format, double InputMegapixels, string? Error);
}
