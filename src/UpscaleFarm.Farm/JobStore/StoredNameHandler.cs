using System.Data;
using Dapper;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// A state (<see cref="IStoredName{TSelf}"/>) in records and parameters as the tables keep it: its name. (Dapper would
/// send an enum as its number whatever handler it had; a type of its own it sends through this.)
/// </summary>
internal sealed class StoredNameHandler<T> : SqlMapper.TypeHandler<T> where T : IStoredName<T>
{
    public override void SetValue(IDbDataParameter parameter, T? value)
    {
        parameter.DbType = DbType.String;
        parameter.Value = value?.Name ?? (object)DBNull.Value;
    }

    public override T Parse(object value) => T.Parse((string)value);
}
