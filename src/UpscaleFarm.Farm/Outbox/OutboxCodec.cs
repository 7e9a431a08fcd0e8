using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Outbox;

/// <summary>
/// The farm's messages as outbox rows: the contract's full type name and its System.Text.Json form. Only the
/// messages that follow a committed state change are listed, so a row can never make a relay build an
/// arbitrary type, and a message that is not listed is refused when it is written rather than when it is sent.
/// </summary>
public static class OutboxCodec
{
    private static readonly Dictionary<string, Type> Types = new Type[]
    {
        typeof(JobSubmitted), typeof(FrameReady), typeof(MuxVideo), typeof(JobCompleted), typeof(JobFailed), typeof(JobCancelled),
    }.ToDictionary(type => type.FullName!, StringComparer.Ordinal);

    public static (string MessageType, string Body) Encode(object message)
    {
        var type = message.GetType();
        if (!Types.ContainsKey(type.FullName!))
            throw new ArgumentException($"{type.FullName} is not a message the outbox carries", nameof(message));
        return (type.FullName!, JsonSerializer.Serialize(message, type));
    }

    /// <summary>
    /// The row's message and its contract type; false for a type this build does not know (written by a newer
    /// build during a rolling upgrade: a relay of that build sends it).
    /// </summary>
    public static bool TryDecode(OutboxMessage row, [NotNullWhen(true)] out object? message, [NotNullWhen(true)] out Type? type)
    {
        message = null;
        if (!Types.TryGetValue(row.MessageType, out type))
            return false;
        message = JsonSerializer.Deserialize(row.Body, type);
        return message is not null;
    }
}
