using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Events;

/// <summary>
/// What a <see cref="JobWatcher"/> last learnt of a followed job: its row (null once it is gone: purged), or, while the
/// job store is unavailable, the row before and what to tell the streams (<see cref="Outage"/>). <see cref="Next"/>
/// completes when a newer snapshot replaces this one, so a stream that read this one cannot miss the next.
/// </summary>
public sealed record JobSnapshot(JobRecord? Job, Task Next, string? Outage = null, bool OutageTooLong = false);
