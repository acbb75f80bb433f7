using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace SeizureIntel.Identity;

/// <summary>
/// The node's token signing key (RSA) and encryption key (AES-256), generated at the node's first start and kept in its
/// own database (table <c>node_keys</c> of the identity schema), so that tokens stay valid across restarts and nothing
/// secret is committed. An operator who prefers a file can move them into the generated secrets later.
/// </summary>
public sealed class NodeKeys
{
    public RsaSecurityKey Signing { get; }
    public SymmetricSecurityKey Encryption { get; }

    private NodeKeys(RsaSecurityKey signing, SymmetricSecurityKey encryption)
    {
        Signing = signing;
        Encryption = encryption;
    }

    public static NodeKeys LoadOrCreate(NpgsqlDataSource dataSource, IdentitySchema schema)
    {
        using var connection = dataSource.OpenConnection();
        // The owner login creates the table; a runtime login only reads and fills it.
        if (schema.Apply)
        using (var create = new NpgsqlCommand(
                   $"create schema if not exists {schema.Name}; create table if not exists {schema.Name}.node_keys (name text primary key, value bytea not null)",
                   connection))
            create.ExecuteNonQuery();

        // A new RSA key costs a prime search (a large part of a start-up's CPU): only when none is stored yet.
        var signing = Stored(connection, schema, "signing-rsa")
                      ?? Keep(connection, schema, "signing-rsa", NewRsaKey());
        var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(signing, out _);
        var encryption = Stored(connection, schema, "encryption-aes256")
                         ?? Keep(connection, schema, "encryption-aes256", RandomNumberGenerator.GetBytes(32));
        // A key id from the public key, so that a partner validating against the published keys finds the right one.
        var kid = Convert.ToHexString(SHA256.HashData(rsa.ExportRSAPublicKey()))[..16].ToLowerInvariant();
        return new NodeKeys(new RsaSecurityKey(rsa) { KeyId = kid }, new SymmetricSecurityKey(encryption));
    }

    private static byte[] NewRsaKey()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportRSAPrivateKey();
    }

    private static byte[]? Stored(NpgsqlConnection connection, IdentitySchema schema, string name)
    {
        using var read = new NpgsqlCommand($"select value from {schema.Name}.node_keys where name = $1", connection);
        read.Parameters.AddWithValue(name);
        return read.ExecuteScalar() as byte[];
    }

    /// <summary>
    /// The stored value of the key, storing <paramref name="fresh"/> first when there is none (a replica starting at
    /// the same moment may store its own first: both then use the one stored).
    /// </summary>
    private static byte[] Keep(NpgsqlConnection connection, IdentitySchema schema, string name, byte[] fresh)
    {
        using var command = new NpgsqlCommand(
            $"insert into {schema.Name}.node_keys (name, value) values ($1, $2) on conflict (name) do nothing; ", connection);
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(fresh);
        command.ExecuteNonQuery();
        using var read = new NpgsqlCommand($"select value from {schema.Name}.node_keys where name = $1", connection);
        read.Parameters.AddWithValue(name);
        return (byte[])read.ExecuteScalar()!;
    }
}
