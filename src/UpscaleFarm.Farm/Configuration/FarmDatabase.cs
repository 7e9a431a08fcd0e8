namespace UpscaleFarm.Farm.Configuration;

/// <summary>Farm:Database: the job store's engine. Written in any case ("postgres", "PostgreSQL").</summary>
public enum FarmDatabase
{
    /// <summary>A file, Farm:DataDirectory/farm.db unless Farm:DatabaseConnection names another: one machine.</summary>
    Sqlite,

    /// <summary>PostgreSQL at Farm:DatabaseConnection, shared by every process of a distributed farm.</summary>
    Postgres,

    /// <summary>The same as <see cref="Postgres"/>, as the product spells itself.</summary>
    PostgreSql = Postgres,
}
