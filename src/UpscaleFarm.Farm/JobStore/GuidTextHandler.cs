using System.Data;
using Dapper;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// Ids (job ids, in records and parameters) as the tables keep them: 32 lower-case hex digits in a TEXT column, the same
/// in SQLite and PostgreSQL and in object keys. Dapper maps Guid itself unless its built-in mapping is removed
/// (<see cref="SqlJobStore"/> does), and then converts here, once, at the edge.
/// </summary>
internal sealed class GuidTextHandler : SqlMapper.TypeHandler<Guid>
{
    public override void SetValue(IDbDataParameter parameter, Guid value)
    {
        parameter.DbType = DbType.String;
        parameter.Value = value.ToString("N");
    }

    public override Guid Parse(object value) => Guid.ParseExact((string)value, "N");
}
