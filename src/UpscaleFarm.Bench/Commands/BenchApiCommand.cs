using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using UpscaleFarm.Bench.Benchmarks;
using UpscaleFarm.Cli.ApiClient;

namespace UpscaleFarm.Bench.Commands;

/// <summary>
/// <c>upscalefarm-bench api --api URL --keys K...</c>: load on a running job API. Every tenant key
/// submits its share of the jobs at once while status pollers time GET /v1/jobs/{id}; at the end each
/// job must be completed, belong to its submitter, and be invisible (404) to every other tenant.
/// scripts/bench-api.sh starts an embedded API with four tenants and runs this.
/// </summary>
public static class BenchApiCommand
{
    public static Command Create(Func<string> defaultImage)
    {
        var api = new Option<string>("--api") { Required = true };
        var keys = new Option<string[]>("--keys") { Description = "one API key per tenant", Required = true, AllowMultipleArgumentsPerToken = true };
        var jobs = new Option<int>("--jobs") { DefaultValueFactory = _ => 200 };
        var size = new Option<string>("--size") { Description = "each job's image, WxH", DefaultValueFactory = _ => "64x48" };
        var pollers = new Option<int>("--pollers") { Description = "concurrent status callers", DefaultValueFactory = _ => 8 };
        var image = new Option<string>("--image") { DefaultValueFactory = _ => defaultImage() };
        var command = new Command("api", "load on a running job API: concurrent submissions by several tenants, status latency") { api, keys, jobs, size, pollers, image };
        command.SetAction(async (parse, cancellation) =>
        {
            using var work = new TempDirectory();
            var input = BenchImage.Resized(parse.GetValue(image)!, parse.GetValue(size)!, work.File("job.png"));
            var tenants = parse.GetValue(keys)!.Select(k => JobApiClient.Create(parse.GetValue(api)!, k)).ToList();
            var total = parse.GetValue(jobs);
            var submitted = new ConcurrentBag<(int Tenant, string Id, string Name)>();
            var errors = new ConcurrentBag<string>();

            var wall = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellation },
                async (i, ct) =>
                {
                    try
                    {
                        var job = await tenants[i % tenants.Count].SubmitAsync([input], [], null, ct);
                        submitted.Add((i % tenants.Count, job.GetProperty("id").GetString()!, job.GetProperty("tenant").GetString()!));
                    }
                    catch (Exception e) when (e is ApiException or HttpRequestException)
                    {
                        errors.Add($"submit: {e.Message}");
                    }
                });
            var submitSeconds = wall.Elapsed.TotalSeconds;
            // Each key is one tenant, and no two keys share one.
            if (submitted.GroupBy(j => j.Tenant).Any(g => g.Select(j => j.Name).Distinct().Count() != 1)
                || submitted.Select(j => j.Name).Distinct().Count() != tenants.Count)
                errors.Add("submissions were attributed to the wrong tenants");

            // Status calls while the farm works through the jobs, until every job has ended.
            var latencies = new ConcurrentBag<double>();
            var ids = submitted.ToArray();
            var finished = new ConcurrentDictionary<string, string>();
            await Task.WhenAll(Enumerable.Range(0, parse.GetValue(pollers)).Select(p => Task.Run(async () =>
            {
                for (var n = p; finished.Count < ids.Length; n += parse.GetValue(pollers))
                {
                    var (tenant, id, name) = ids[n % ids.Length];
                    if (finished.ContainsKey(id))
                        continue;
                    var timer = Stopwatch.StartNew();
                    try
                    {
                        var job = await tenants[tenant].GetAsync(id, cancellation);
                        latencies.Add(timer.Elapsed.TotalMilliseconds);
                        if (job.GetProperty("tenant").GetString() != name)
                            errors.Add($"job {id}: shown as another tenant's");
                        var state = job.GetProperty("state").GetString()!;
                        if (state is "completed" or "failed" or "cancelled")
                            finished[id] = state;
                    }
                    catch (Exception e) when (e is ApiException or HttpRequestException)
                    {
                        errors.Add($"status: {e.Message}");
                    }
                }
            }, cancellation)));
            var farmSeconds = wall.Elapsed.TotalSeconds;

            // Isolation: every job is a 404 for every other tenant.
            var leaks = 0;
            foreach (var (tenant, id, _) in ids)
                for (var other = 0; other < tenants.Count; other++)
                {
                    if (other == tenant)
                        continue;
                    try
                    {
                        await tenants[other].GetAsync(id, cancellation);
                        leaks++;
                    }
                    catch (ApiException e) when (e.Message.Contains(((int)HttpStatusCode.NotFound).ToString()))
                    {
                        // expected
                    }
                }

            var sorted = latencies.Order().ToArray();
            double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
            Console.WriteLine($"{total} jobs ({parse.GetValue(size)} PNG) by {tenants.Count} tenants; {Environment.ProcessorCount} cores");
            Console.WriteLine($"submitted in {submitSeconds:F1} s; all ended after {farmSeconds:F1} s: {finished.Values.Count(s => s == "completed")} completed, " +
                              $"{finished.Values.Count(s => s != "completed")} not; errors {errors.Count}; cross-tenant reads that were not 404: {leaks} of {ids.Length * (tenants.Count - 1)}");
            Console.WriteLine($"status calls while busy: {sorted.Length}; latency ms p50 {Percentile(0.50):F1}, p95 {Percentile(0.95):F1}, p99 {Percentile(0.99):F1}, max {sorted.LastOrDefault():F1}");
            foreach (var error in errors.Take(5))
                Console.WriteLine($"  {error}");
            tenants.ForEach(t => t.Dispose());
            return errors.IsEmpty && leaks == 0 && finished.Values.All(s => s == "completed") ? 0 : 1;
        });
        return command;
    }
}
