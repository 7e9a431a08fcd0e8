namespace UpscaleFarm.Farm.JobStore;

public static class TileState
{
    public const string Pending = "pending";
    public const string Done = "done";
}
