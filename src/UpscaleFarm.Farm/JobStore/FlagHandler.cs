using System.Data;
using Dapper;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// Flags (bool in records and parameters) as the tables keep them: INTEGER 0 or 1, which both databases index and compare
/// alike (PostgreSQL will not compare a boolean with an integer column). Registered with <see cref="GuidTextHandler"/>.
/// </summary>
internal sealed class FlagHandler : SqlMapper.TypeHandler<bool>
{
    public override void SetValue(IDbDataParameter parameter, bool value)
    {
        parameter.DbType = DbType.Int32;
        parameter.Value = value ? 1 : 0;
    }

    public override bool Parse(object value) => Convert.ToInt64(value) != 0;
}
