namespace UpscaleFarm.Farm.JobStore;

/// <summary>The state changes that imply messages (<see cref="IJobTransaction"/>), made with their outbox messages in one transaction; <see cref="Lifecycle.JobLifecycle"/> is their one caller.</summary>
public interface IJobTransactions
{
    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, committed when it returns and rolled back when it throws:
    /// its state changes and the outbox messages it writes are committed together or not at all.
    /// </summary>
    Task<T> TransactAsync<T>(Func<IJobTransaction, Task<T>> work, CancellationToken cancellation = default);

    /// <inheritdoc cref="TransactAsync{T}"/>
    Task TransactAsync(Func<IJobTransaction, Task> work, CancellationToken cancellation = default);
}
