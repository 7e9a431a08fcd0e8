using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using UpscaleFarm.Cli.ApiClient;
using UpscaleFarm.Cli.Terminal;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Cli.Commands;

/// <summary><c>upscalefarm submit FILE... --api URL --key KEY</c>: a job through a running job API.</summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "images or .zip files of frames (several make a frame set), or one video", Arity = ArgumentArity.OneOrMore };
        var api = new Option<string?>("--api") { Description = "the API's base URL (default: $UPSCALEFARM_API)" };
        var key = new Option<string?>("--key") { Description = "the tenant's API key (default: $UPSCALEFARM_API_KEY)" };
        var model = new Option<string?>("--model", "-m") { Description = "model id" };
        var scale = new Option<double?>("--scale", "-s") { Description = "output scale" };
        var format = new Option<string?>("--format", "-f") { Description = "png, jpeg, webp or tiff" };
        var quality = new Option<int?>("--quality") { Description = "JPEG/WebP quality" };
        var tile = new Option<int?>("--tile", "-t") { Description = "tile size override" };
        var halo = new Option<int?>("--halo") { Description = "halo override" };
        var alpha = new Option<string?>("--alpha") { Description = "model or resample" };
        var priority = new Option<int?>("--priority") { Description = "0 (lowest) to 9 (highest), default 5: tiles of higher-priority jobs are dispatched first" };
        var webhook = new Option<string?>("--webhook") { Description = "a URL to notify, signed, when the job ends" };
        var container = new Option<string?>("--container") { Description = "for a video: video (default) or zip of frames" };
        var idempotency = new Option<string?>("--idempotency-key") { Description = "resubmitting with the same key returns the same job" };
        var wait = new Option<bool>("--wait") { Description = "follow the job to its end with a progress bar" };
        var output = new Option<string?>("--output", "-o") { Description = "with --wait: where to save the result (a file, or a directory)" };
        var tolerance = new Option<int>("--outage-tolerance")
        {
            Description = "how many seconds to keep retrying while the API is unavailable (restarting, or its job store or object store down)",
            DefaultValueFactory = _ => new FarmOptions().OutageToleranceSeconds,
        };
        var command = new Command("submit", "submit a job to a running job API")
        {
            files, api, key, model, scale, format, quality, tile, halo, alpha, priority, webhook, container, idempotency, wait, output, tolerance,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            string? id = null;
            try
            {
                var url = parse.GetValue(api) ?? Environment.GetEnvironmentVariable("UPSCALEFARM_API")
                    ?? throw new ArgumentException("no API: pass --api URL or set UPSCALEFARM_API");
                var apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("UPSCALEFARM_API_KEY")
                    ?? throw new ArgumentException("no API key: pass --key KEY or set UPSCALEFARM_API_KEY");
                var inputs = parse.GetValue(files)!;
                foreach (var file in inputs.Where(f => !File.Exists(f)))
                    throw new ArgumentException($"{file}: no such file");
                var fields = new List<(string, string)>();
                void Add(string field, object? value)
                {
                    if (value is not null)
                        fields.Add((field, Convert.ToString(value, CultureInfo.InvariantCulture)!));
                }
                Add("model", parse.GetValue(model));
                Add("scale", parse.GetValue(scale));
                Add("format", parse.GetValue(format));
                Add("quality", parse.GetValue(quality));
                Add("tile", parse.GetValue(tile));
                Add("halo", parse.GetValue(halo));
                Add("alpha", parse.GetValue(alpha));
                Add("priority", parse.GetValue(priority));
                Add("webhook", parse.GetValue(webhook));
                Add("container", parse.GetValue(container));

                // Told once per outage: a line on stderr, or the progress bar's label while there is one (a line would tear it).
                Action<string> reportOutage = WriteOutage;
                var outages = new ApiOutages(TimeSpan.FromSeconds(parse.GetValue(tolerance)), reason => reportOutage(reason));
                using var client = JobApiClient.Create(url, apiKey, outages);
                // Always a key: a submission retried after its answer was lost then returns the job it created, not a second one.
                var job = await client.SubmitAsync(inputs, fields, parse.GetValue(idempotency) ?? Guid.NewGuid().ToString("N"), cancellation);
                id = job.GetProperty("id").GetString()!;
                Console.WriteLine(id);
                if (!parse.GetValue(wait))
                    return 0;
                job = await FollowAsync(client, id, report => reportOutage = report ?? WriteOutage, cancellation);
                var state = job.GetProperty("state").GetString();
                if (state != "completed")
                    throw new ApiException($"job {id} {state}: {job.GetProperty("error").GetString()}");
                if (parse.GetValue(output) is { } target)
                    Console.WriteLine(await client.DownloadResultAsync(id, target, cancellation));
                return 0;
            }
            catch (OperationCanceledException)
            {
                CliError.Write("canceled");
                return CliError.Canceled;
            }
            catch (Exception e) when (ApiOutages.IsUnavailable(e))
            {
                // Still unavailable past the tolerance: one line, and the job (if it was created) goes on without us.
                CliError.Write($"the farm API stayed unavailable for {parse.GetValue(tolerance)} s ({ApiOutages.Reason(e)})"
                    + (id is null ? "" : $"; job {id} goes on in the farm"));
                return CliError.Failure;
            }
            catch (Exception e) when (e is ApiException or ArgumentException or IOException)
            {
                CliError.Write(e.Message);
                return CliError.Failure;
            }
        });
        return command;
    }

    private static void WriteOutage(string reason) =>
        Console.Error.WriteLine($"upscalefarm: the farm API is unavailable ({reason}); retrying…");

    /// <summary>Polls the job twice a second, showing its tiles on a progress bar when the output is a terminal.</summary>
    /// <param name="reportOutagesTo">Sets where an outage is told while the bar shows (null: back to stderr).</param>
    private static async Task<JsonElement> FollowAsync(JobApiClient client, string id, Action<Action<string>?> reportOutagesTo,
        CancellationToken cancellation)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            return await PollAsync(client, id, _ => { }, cancellation);
        JsonElement job = default;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async context =>
        {
            var label = $"job {id[..8]}";
            var bar = context.AddTask(label);
            // Told in the bar's label until the next answer.
            reportOutagesTo(reason => bar.Description = $"{label}: the farm API is unavailable ({reason}); retrying…");
            try
            {
                job = await PollAsync(client, id, j =>
                {
                    bar.Description = label;
                    bar.MaxValue = Math.Max(1, j.GetProperty("tilesTotal").GetInt32());
                    bar.Value = j.GetProperty("tilesDone").GetInt32();
                }, cancellation);
            }
            finally
            {
                reportOutagesTo(null);
            }
            bar.Value = bar.MaxValue;
        });
        return job;
    }

    private static async Task<JsonElement> PollAsync(JobApiClient client, string id, Action<JsonElement> report, CancellationToken cancellation)
    {
        while (true)
        {
            var job = await client.GetAsync(id, cancellation);
            report(job);
            if (job.GetProperty("state").GetString() is "completed" or "failed" or "cancelled")
                return job;
            await Task.Delay(500, cancellation);
        }
    }
}
