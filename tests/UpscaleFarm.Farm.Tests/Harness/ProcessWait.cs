namespace UpscaleFarm.Farm.Tests.Harness;

/// <summary>Waiting for a farm of processes to reach a state, failing with what each process logged when it does not.</summary>
internal static class ProcessWait
{
    /// <summary>Polls <paramref name="condition"/> every <paramref name="poll"/> until it holds; past <paramref name="timeout"/>, throws with the processes' logs.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, IEnumerable<FarmProcess> processes, TimeSpan timeout, TimeSpan poll)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition not reached; process logs:\n" + string.Join("\n", processes.Select(p => $"--- {p.Role} {p.Id}\n{p.Log}")));
            await Task.Delay(poll);
        }
    }
}
