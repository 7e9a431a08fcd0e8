using Microsoft.ML.OnnxRuntime;
using NetVips;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Cli.Terminal;

/// <summary>Turns failures into one line on stderr and an exit code, never a stack trace.</summary>
public static class CliError
{
    public const int Failure = 1;
    public const int Canceled = 130;

    /// <summary>Whether the exception is an expected, user-facing failure (bad input, model, output).</summary>
    public static bool IsExpected(Exception e) => e is ImageInputException or ImageOutputException or ModelConversionException
        or UnknownModelException or InvalidModelException or ArgumentException or VipsException or OnnxRuntimeException or IOException or UnauthorizedAccessException;

    public static void Write(string message) => Console.Error.WriteLine($"upscalefarm: error: {OneLine(message)}");

    public static void Write(Exception e) =>
        Write(IsExpected(e) ? e.Message : $"{e.GetType().Name}: {e.Message} (unexpected; please report it)");

    /// <summary>Runs a command body, mapping exceptions to a message and exit code.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            Write("canceled");
            return Canceled;
        }
        catch (Exception e)
        {
            Write(e);
            return Failure;
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
