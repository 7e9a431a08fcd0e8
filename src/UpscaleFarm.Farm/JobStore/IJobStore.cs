namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// The farm's durable state: jobs, frames, tiles and the outbox of messages that state changes imply, in role-sized parts
/// that each role takes as it needs them (reads: <see cref="IJobQueries"/>; the coordinator: <see cref="IPlanStore"/>,
/// <see cref="IDispatchStore"/>; the worker: <see cref="IPackAttemptStore"/>; the assembler: <see cref="IFrameWriterStore"/>;
/// the relay: <see cref="IOutboxStore"/>); this is all of them, for hosts and tools.
/// Every state change is one conditional statement or transaction, so concurrent and repeated calls (redelivered
/// messages, several processes) stay exact: a tile is counted once, a frame assembled once, a job finished once.
/// The changes that imply a message are made in <see cref="IJobTransactions.TransactAsync{T}"/>, with the message.
/// </summary>
public interface IJobStore : IJobQueries, IJobTransactions, IPlanStore, IDispatchStore, IPackAttemptStore, IFrameWriterStore, IOutboxStore, IJobStoreSchema;
