using Dapper;

namespace UpscaleFarm.Farm.JobStore;

public sealed partial class SqlJobStore
{
    public async Task PingAsync(CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellation));
    }
}
