using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace SeizureIntel.Identity;

/// <summary>A person who signs in to this node (ASP.NET Core Identity: password hash, lockout, TOTP key).</summary>
public sealed class NodeUser : IdentityUser;

/// <summary>
/// Users, roles and OpenIddict's applications, authorizations and tokens, in the node's own PostgreSQL, in a schema of
/// their own beside Marten's (<see cref="IdentitySchema.Of"/>), created at start-up like Marten's (<see cref="IdentitySchema"/>).
/// </summary>
public sealed class NodeIdentityDb(DbContextOptions<NodeIdentityDb> options, IdentitySchema schema)
    : IdentityDbContext<NodeUser>(options)
{
    public string Schema { get; } = schema.Name;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        builder.HasDefaultSchema(Schema);
        base.OnModelCreating(builder);
        builder.UseOpenIddict();
    }
}

/// <summary>Tests and benchmarks run several nodes in one process, each in its own schema: one EF model per schema.</summary>
public sealed class SchemaModelCacheKey : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        (context.GetType(), (context as NodeIdentityDb)?.Schema, designTime);
}

/// <summary>The identity schema of a node: its Marten schema's name with <c>_identity</c> appended.</summary>
public sealed record IdentitySchema(string Name)
{
    public static IdentitySchema Of(string nodeSchema, bool apply = true) => new($"{nodeSchema}_identity") { Apply = apply };

    /// <summary>Create what is missing at start-up; false on a runtime login, which may not change the schema.</summary>
    public bool Apply { get; init; } = true;

    /// <summary>Creates the tables when the schema has none yet (first start); a later start finds them.</summary>
    public async Task EnsureCreatedAsync(NodeIdentityDb db, NpgsqlDataSource dataSource, CancellationToken token)
    {
        if (await MustCreateAsync(dataSource, token)) await CreateAsync(db, token);
    }

    /// <summary>Whether this start must create the tables: it may (<see cref="Apply"/>) and they are not there yet.</summary>
    public async Task<bool> MustCreateAsync(NpgsqlDataSource dataSource, CancellationToken token)
    {
        if (!Apply) return false;
        await using var command = dataSource.CreateCommand(
            "select count(*) from information_schema.tables where table_schema = $1 and table_name = 'AspNetUsers'");
        command.Parameters.AddWithValue(Name);
        return Convert.ToInt64(await command.ExecuteScalarAsync(token)) == 0;
    }

    public Task CreateAsync(NodeIdentityDb db, CancellationToken token) =>
        db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync(token);
}
