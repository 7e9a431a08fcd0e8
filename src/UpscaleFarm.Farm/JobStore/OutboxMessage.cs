namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// A message waiting in the outbox: written in the transaction of the state change that implies it, deleted
/// once a relay has published it (<see cref="Outbox.OutboxRelay"/>).
/// </summary>
public sealed record OutboxMessage
{
    public string Id { get; init; } = "";
    /// <summary>The contract's full type name (<see cref="Outbox.OutboxCodec"/>).</summary>
    public string MessageType { get; init; } = "";
    /// <summary>The message as System.Text.Json wrote it.</summary>
    public string Body { get; init; } = "";
    /// <summary>The W3C traceparent of the step that wrote it, so its publication stays in that step's trace.</summary>
    public string? TraceParent { get; init; }
    public long CreatedMs { get; init; }
}
