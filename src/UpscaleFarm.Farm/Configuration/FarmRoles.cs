namespace UpscaleFarm.Farm.Configuration;

/// <summary>Which of the farm's services a process runs; the embedded default runs all of them.</summary>
[Flags]
public enum FarmRoles
{
    None = 0,
    Coordinator = 1,
    Worker = 2,
    Assembler = 4,
    All = Coordinator | Worker | Assembler,
}
