namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// The workers' pace as the dispatcher sees it, packs started per second, and from it how many packs may wait in the
/// queue for a worker (<see cref="Configuration.CoordinatorOptions.QueueSeconds"/> of that pace). Each claim reports how
/// many packs were queued and not started when it looked, and how many it added: what the workers took since the claim
/// before is the difference. A rising pace is followed within about a fifth of a second, and a queue found empty counts twice
/// (the workers took all there was, and would have taken more), so a farm scaling out is fed within seconds; a falling
/// pace is followed over about five. Several coordinators each count the others' claims as queued work, so each
/// measures a lower pace than the workers' and holds the queue shorter, never longer.
/// </summary>
public sealed class DispatchPace(double queueSeconds, int minQueued)
{
    private static readonly TimeSpan Rise = TimeSpan.FromSeconds(0.2), Fall = TimeSpan.FromSeconds(5);
    private double _perSecond;
    private int _queuedAfter = -1;
    private TimeSpan _at;

    /// <summary>Packs started per second, as measured so far.</summary>
    public double PacksPerSecond => _perSecond;

    /// <summary>Packs that may be waiting in the queue for a worker now.</summary>
    public int MaxQueued => (int)Math.Min(int.MaxValue, Math.Max(Math.Max(1, minQueued), Math.Ceiling(_perSecond * queueSeconds)));

    /// <summary>A claim at <paramref name="now"/> (a monotonic clock) found <paramref name="queuedBefore"/> packs not started and added <paramref name="claimed"/>.</summary>
    public void Observe(TimeSpan now, int queuedBefore, int claimed)
    {
        if (_queuedAfter >= 0 && now > _at)
        {
            var seconds = (now - _at).TotalSeconds;
            var started = Math.Max(0, _queuedAfter - queuedBefore);
            var sample = started / seconds * (queuedBefore == 0 && started > 0 ? 2 : 1);
            var weight = 1 - Math.Exp(-seconds / (sample > _perSecond ? Rise : Fall).TotalSeconds);
            _perSecond += weight * (sample - _perSecond);
        }
        _queuedAfter = queuedBefore + claimed;
        _at = now;
    }
}
