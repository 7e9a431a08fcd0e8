using Spectre.Console;
using UpscaleFarm.Engine.Upscaling;

namespace UpscaleFarm.Cli.Terminal;

/// <summary>A progress bar per image on an interactive terminal; nothing when output is redirected.</summary>
public static class ProgressDisplay
{
    public static void Run(Action<Func<string, IProgress<UpscaleProgress>>> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            work(_ => new Progress<UpscaleProgress>(_ => { }));
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context => work(name =>
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: 1);
                return new SynchronousProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.TilesTotal);
                    task.Value = p.TilesDone;
                });
            }));
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and lag).</summary>
    private sealed class SynchronousProgress(Action<UpscaleProgress> report) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value) => report(value);
    }
}
