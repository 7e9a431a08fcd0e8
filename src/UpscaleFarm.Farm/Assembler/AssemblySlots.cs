using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// The frames this assembler assembles at once (Assembler:ConcurrentFrames), shared by the progressive writers and the
/// FrameReady path, since each frame in progress holds its strips in memory whichever path assembles it; and the name
/// under which this process leases the frames it writes.
/// </summary>
public sealed class AssemblySlots(IOptions<FarmOptions> options)
{
    /// <summary>Unique to this process: a restarted assembler with the same instance name does not inherit its predecessor's leases.</summary>
    public string Writer { get; } = $"{options.Value.Instance}/{Guid.NewGuid():N}";

    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.Assembler.ConcurrentFrames));

    public Task WaitAsync(CancellationToken cancellation) => _slots.WaitAsync(cancellation);

    public void Release() => _slots.Release();
}
