namespace UpscaleFarm.Farm.Configuration;

/// <summary>Farm:Outbox: how the <see cref="Outbox.OutboxRelay"/> sends the messages committed with state changes.</summary>
public sealed class OutboxOptions
{
    /// <summary>
    /// How often the relay looks for messages when nothing wakes it: a commit in its own process wakes it at once,
    /// so this bounds the delay of messages left by other processes (a client that exited, a process that died).
    /// </summary>
    public int PollIntervalMs { get; set; } = 1000;

    /// <summary>Messages claimed and published per round trip to the job store.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How long a relay holds the messages it claimed: a relay that died holding them delays them this long. Each
    /// publish is given at most half of it, so a relay still trying when its lease ends is rare (and the message
    /// is then sent twice, which every consumer tolerates).
    /// </summary>
    public int LeaseSeconds { get; set; } = 30;
}
