using System.Security.Cryptography;
using Npgsql;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Identity;

/// <summary>
/// The node's signing and encryption keys are made once, at its first start, and read back at every later one: tokens
/// stay valid across restarts, and a start does not pay for a new RSA key it would throw away.
/// </summary>
public sealed class NodeKeysTests
{
    private static readonly string Schema = (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_keys";

    [Fact]
    public async Task the_first_start_makes_the_keys_and_every_later_start_reads_the_same_ones()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestDatabase.ConnectionString);
        await using (var drop = dataSource.CreateCommand($"drop schema if exists {Schema} cascade")) await drop.ExecuteNonQueryAsync();
        var schema = new IdentitySchema(Schema);

        var first = NodeKeys.LoadOrCreate(dataSource, schema);
        var again = NodeKeys.LoadOrCreate(dataSource, schema);

        again.Signing.KeyId.ShouldBe(first.Signing.KeyId);
        again.Signing.Rsa.ExportRSAPublicKey().ShouldBe(first.Signing.Rsa.ExportRSAPublicKey());
        again.Encryption.Key.ShouldBe(first.Encryption.Key);
        first.Signing.Rsa.KeySize.ShouldBe(2048);
        first.Encryption.Key.Length.ShouldBe(32);

        // What is stored is what is used: the key id is the stored public key's hash, and a signature checks against it.
        await using var read = dataSource.CreateCommand($"select value from {Schema}.node_keys where name = 'signing-rsa'");
        using var stored = RSA.Create();
        stored.ImportRSAPrivateKey((byte[])(await read.ExecuteScalarAsync())!, out _);
        var signature = again.Signing.Rsa.SignData("x"u8.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        stored.VerifyData("x"u8.ToArray(), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).ShouldBeTrue();
        first.Signing.KeyId.ShouldBe(Convert.ToHexString(SHA256.HashData(stored.ExportRSAPublicKey()))[..16].ToLowerInvariant());

        await using (var count = dataSource.CreateCommand($"select count(*) from {Schema}.node_keys"))
            Convert.ToInt64(await count.ExecuteScalarAsync()).ShouldBe(2);
        await using (var drop = dataSource.CreateCommand($"drop schema {Schema} cascade")) await drop.ExecuteNonQueryAsync();
    }
}
