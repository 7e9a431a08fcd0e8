namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// A state the job store keeps as its name (TEXT: "running", "done"): a type of its own in code, so a job's state is
/// never a frame's, a tile's or any string, converted at the store's edge by <see cref="StoredNameHandler{T}"/>.
/// </summary>
public interface IStoredName<TSelf> where TSelf : IStoredName<TSelf>
{
    /// <summary>The name as the tables, the API and the logs write it.</summary>
    string Name { get; }

    /// <summary>The state of this name; an unknown name is a database written by something else.</summary>
    static abstract TSelf Parse(string name);
}
