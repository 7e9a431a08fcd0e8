namespace UpscaleFarm.Bench.Benchmarks;

/// <summary>One benchmark job: submit-to-completed wall time and its stages (planning, tiles, assembly).</summary>
public sealed record FarmRun(TimeSpan Wall, int Tiles, double OutputMegapixels, TimeSpan Planning, TimeSpan TileStage, TimeSpan Assembly);
