using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// The few things that differ between SQLite (embedded) and PostgreSQL (distributed); the statements
/// themselves are shared (both speak ON CONFLICT and RETURNING).
/// </summary>
public abstract class SqlDialect : IDisposable
{
    /// <summary>How every statement on either database maps columns and values (Dapper's settings are process-wide).</summary>
    static SqlDialect()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        // Ids and flags are Guid and bool in the records, TEXT and INTEGER in the tables: converted by these handlers, which
        // Dapper consults for a built-in type only once its own mapping of the type is removed.
        foreach (var type in new[] { typeof(Guid), typeof(Guid?), typeof(bool), typeof(bool?) })
            SqlMapper.RemoveTypeMap(type);
        SqlMapper.AddTypeHandler(new GuidTextHandler());
        SqlMapper.AddTypeHandler(new FlagHandler());
        SqlMapper.AddTypeHandler(new StoredNameHandler<JobState>());
        SqlMapper.AddTypeHandler(new StoredNameHandler<FrameState>());
        SqlMapper.AddTypeHandler(new StoredNameHandler<TileState>());
    }

    public abstract string Name { get; }

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellation);

    /// <summary>A query counting the column @Column of table @Table (0 or 1).</summary>
    public abstract string ColumnCountSql { get; }

    /// <summary>Serialises schema creation between processes inside <paramref name="transaction"/>.</summary>
    public abstract Task LockSchemaAsync(DbConnection connection, DbTransaction transaction);

    /// <summary>
    /// Appended to a subquery that picks rows to claim: PostgreSQL skips rows another claim holds locked
    /// (instead of waiting for it and then finding them taken); SQLite has one writer at a time anyway.
    /// </summary>
    public abstract string SkipLocked { get; }

    /// <summary>
    /// "Is one of" a list parameter (e.g. "@Ids"), after a column: Dapper expands a list into IN (…) for SQLite, but hands
    /// Npgsql the list as one array parameter, which PostgreSQL compares with = ANY.
    /// </summary>
    public abstract string InList(string parameter);

    public virtual void Dispose() { }

    public static SqlDialect Sqlite(string connectionString) => new SqliteDialect(connectionString);

    public static SqlDialect Postgres(string connectionString) => new PostgresDialect(connectionString);

    private sealed class SqliteDialect : SqlDialect
    {
        private readonly string _connectionString;

        public SqliteDialect(string connectionString)
        {
            // Writers wait for each other (busy timeout) instead of failing with SQLITE_BUSY.
            var builder = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 60 };
            if (builder.DataSource is { Length: > 0 } file && file != ":memory:")
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            _connectionString = builder.ToString();
        }

        public override string Name => "sqlite";
        public override string ColumnCountSql => "SELECT COUNT(*) FROM pragma_table_info(@Table) WHERE name = @Column";
        public override string SkipLocked => "";
        public override string InList(string parameter) => $"IN {parameter}";

        public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellation)
        {
            var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellation);
            return connection;
        }

        // BEGIN IMMEDIATE (the provider's default transaction) already takes SQLite's single write lock.
        public override Task LockSchemaAsync(DbConnection connection, DbTransaction transaction) => Task.CompletedTask;
    }

    private sealed class PostgresDialect(string connectionString) : SqlDialect
    {
        private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

        public override string Name => "postgres";
        public override string ColumnCountSql =>
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @Table AND column_name = @Column";
        public override string SkipLocked => "FOR UPDATE SKIP LOCKED";
        public override string InList(string parameter) => $"= ANY({parameter})";

        public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellation) =>
            await _dataSource.OpenConnectionAsync(cancellation);

        // Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog.
        public override Task LockSchemaAsync(DbConnection connection, DbTransaction transaction) =>
            new NpgsqlCommand("SELECT pg_advisory_xact_lock(7368434)", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction).ExecuteNonQueryAsync();

        public override void Dispose() => _dataSource.Dispose();
    }
}
