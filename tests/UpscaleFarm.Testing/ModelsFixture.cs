using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Models.Setup;

namespace UpscaleFarm.Testing;

/// <summary>
/// The built-in models, installed once (fetched and converted if missing), with one CPU session per
/// model shared by all tests, as the engine shares one session across tiles.
/// </summary>
public sealed class ModelsFixture : IDisposable
{
    private readonly Dictionary<string, ModelSession> _sessions = new();

    public ModelsFixture()
    {
        Catalog = ModelCatalog.Load(RepoPaths.Models);
        BuiltInModels.Install(Catalog, TextWriter.Null);
    }

    public ModelCatalog Catalog { get; }

    public ModelSession Session(string id)
    {
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(id, out var session))
            {
                session = ModelSession.Create(Catalog.OnnxPath(Catalog.Find(id)), new SessionSettings { Device = ExecutionDevice.Cpu });
                _sessions[id] = session;
            }
            return session;
        }
    }

    public void Dispose()
    {
        foreach (var s in _sessions.Values)
            s.Dispose();
    }
}
