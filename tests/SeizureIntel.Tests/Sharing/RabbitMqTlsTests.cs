using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Alba;
using Microsoft.AspNetCore.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SeizureIntel.Tests.Support;
using Xunit.Abstractions;
using static SeizureIntel.Tests.Support.DatabaseLogins;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Sharing;

/// <summary>
/// RabbitMQ over TLS by configuration (issue 12, point 5), against a real broker: the test makes a private CA, a server
/// certificate for localhost and client certificates for SSEP and SSDC (.NET's CertificateRequest), and starts a broker
/// of its own with ops/rabbitmq in TLS mode (SEIZUREINTEL_RABBITMQ_TLS=1: a TLS listener only, client certificates
/// required) on a free loopback port.
/// </summary>
public sealed class RabbitMqTlsTests(TlsBroker broker, ITestOutputHelper output) : IClassFixture<TlsBroker>
{
    private static string Base => (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_tl";
    private static string SchemaOf(string agency) => $"{Base}_{agency.ToLowerInvariant()}";

    private Task<IAlbaHost> BootAsync(string agency, string partner, Action<IWebHostBuilder> tls) => TestNodes.BootAsync(agency, SchemaOf(agency), b =>
    {
        b.UseSetting("SeizureIntel:Sharing:Transport", "rabbitmq");
        b.UseSetting("SeizureIntel:Sharing:QueuePrefix", Base);
        b.UseSetting("SeizureIntel:Sharing:Partners:0:Agency", partner);
        b.UseSetting("SeizureIntel:Sharing:Partners:0:PolicyId", "MOU-SSEP-SSDC");
        b.UseSetting("SeizureIntel:Sharing:Partners:0:Records", "all");
        foreach (var (key, value) in TwoNodes.RabbitMqUser(agency)) b.UseSetting(key, value);
        b.UseSetting("SeizureIntel:Sharing:RabbitMqHost", "127.0.0.1");
        b.UseSetting("SeizureIntel:Sharing:RabbitMqPort", broker.Port.ToString());
        b.UseSetting("SeizureIntel:Sharing:RabbitMqTls", "true");
        b.UseSetting("SeizureIntel:Sharing:RabbitMqTlsServerName", "localhost");
        tls(b);
    });

    /// <summary>The agency's TLS settings as an operator gives them: the agencies' CA, its own client certificate.</summary>
    private Action<IWebHostBuilder> Trusting(string agency) => b =>
    {
        b.UseSetting("SeizureIntel:Sharing:RabbitMqTlsCaFile", broker.CaFile);
        if (agency == "SSEP")
        {
            // PKCS#12 with a password.
            b.UseSetting("SeizureIntel:Sharing:RabbitMqTlsClientCertificate", broker.File("ssep.pfx"));
            b.UseSetting("SeizureIntel:Sharing:RabbitMqTlsClientCertificatePassword", TlsBroker.PfxPassword);
        }
        else
        {
            // PEM certificate and PEM key in two files.
            b.UseSetting("SeizureIntel:Sharing:RabbitMqTlsClientCertificate", broker.File($"{agency.ToLowerInvariant()}.pem"));
            b.UseSetting("SeizureIntel:Sharing:RabbitMqTlsClientKeyFile", broker.File($"{agency.ToLowerInvariant()}.key"));
        }
    };

    [Fact]
    public async Task two_nodes_share_over_tls_and_a_client_that_does_not_trust_the_broker_or_shows_no_certificate_is_refused()
    {
        foreach (var agency in new[] { "SSEP", "SSDC", "MVD" })
            await ExecuteAsync(TestDatabase.ConnectionString, $"drop schema if exists {SchemaOf(agency)} cascade; drop schema if exists {SchemaOf(agency)}_identity cascade");

        var clock = Stopwatch.StartNew();
        // (a) Both trust the agencies' CA and show their certificates: a seizure recorded at SSEP reaches SSDC.
        await using var ssep = await BootAsync("SSEP", "SSDC", Trusting("SSEP"));
        await using var ssdc = await BootAsync("SSDC", "SSEP", Trusting("SSDC"));
        var recorded = await ssep.RecordAsync(new
        {
            facilityId = "SIZO-1", occurredAt = "2015-04-01T10:00:00+06:00", substance = "heroin",
            quantity = new { value = 31.5m, unit = "g" }, detection = "visitor-search",
        });
        await EventuallyAsync(async () =>
        {
            var result = await ssdc.Scenario(s => { s.Get.Url($"/api/seizures/{recorded.Id}"); s.IgnoreStatusCode(); });
            return result.Context.Response.StatusCode == 200;
        }, "SSDC has SSEP's seizure, over TLS", 90);
        var there = await ssdc.GetJsonAsync($"/api/seizures/{recorded.Id}");
        there.GetProperty("agency").GetString().ShouldBe("SSEP");
        there.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(31.5m);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: both nodes up, the seizure shared over TLS (broker start: {broker.StartSeconds:F1} s)");

        // (b) A node that trusts another CA does not connect, and says why (the broker's subject and issuer, the setting).
        var untrusted = await Should.ThrowAsync<Exception>(() => BootAsync("MVD", "SSEP", b =>
        {
            b.UseSetting("SeizureIntel:Sharing:RabbitMqTlsCaFile", broker.File("other-ca.pem"));
            b.UseSetting("SeizureIntel:Sharing:RabbitMqTlsClientCertificate", broker.File("mvd.pem"));
            b.UseSetting("SeizureIntel:Sharing:RabbitMqTlsClientKeyFile", broker.File("mvd.key"));
        }));
        untrusted.ToString().ShouldContain("does not chain to the CA in SeizureIntel:Sharing:RabbitMqTlsCaFile");
        untrusted.ToString().ShouldContain("issued by CN=SeizureIntel test agencies CA");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: the untrusting node refused");

        // The same TLS settings a node applies (RabbitMqTls.Apply), on the client library directly, as the MVD user.
        var password = Environment.GetEnvironmentVariable("SEIZUREINTEL_RABBITMQ_PASSWORD_MVD")!;
        ConnectionFactory Factory(Action<SeizureIntel.Sharing.SharingOptions>? tls = null)
        {
            var factory = new ConnectionFactory
            {
                HostName = "127.0.0.1", Port = broker.Port, VirtualHost = TwoNodes.RabbitMqUser("MVD")["SeizureIntel:Sharing:RabbitMqVirtualHost"],
                UserName = "seizureintel_mvd", Password = password, RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            };
            if (tls is null) return factory;
            var options = new SeizureIntel.Sharing.SharingOptions
            {
                RabbitMqHost = "127.0.0.1", RabbitMqTls = true, RabbitMqTlsServerName = "localhost", RabbitMqTlsCaFile = broker.CaFile,
                RabbitMqTlsClientCertificate = broker.File("mvd.pem"), RabbitMqTlsClientKeyFile = broker.File("mvd.key"),
            };
            tls(options);
            SeizureIntel.Sharing.RabbitMqTls.Apply(factory.Ssl, options);
            return factory;
        }
        async Task<Exception> RefusedAsync(ConnectionFactory factory) =>
            await Should.ThrowAsync<BrokerUnreachableException>(async () => { await using var c = await factory.CreateConnectionAsync(); });

        await using (var connection = await Factory(_ => { }).CreateConnectionAsync())
            connection.IsOpen.ShouldBeTrue("MVD over TLS with the CA and its certificate connects: the refusals below are for the reason named");
        // Nor does a client that trusts only the machine's roots (the private CA is not among them), or expects another name.
        (await RefusedAsync(Factory(o => o.RabbitMqTlsCaFile = ""))).ToString().ShouldContain("is not trusted by this machine");
        (await RefusedAsync(Factory(o => o.RabbitMqTlsServerName = "broker.example.org"))).ToString()
            .ShouldContain("is not valid for the name 'broker.example.org'");

        // (c) The broker refuses a client without a certificate of the agencies' CA (mutual TLS), and plain AMQP on its port.
        await RefusedAsync(Factory(o => { o.RabbitMqTlsClientCertificate = ""; o.RabbitMqTlsClientKeyFile = ""; }));
        await RefusedAsync(Factory());
        // And the broker has no plain listener at all (its configuration: listeners.tcp = none).
        File.ReadAllText(Path.Combine(broker.Directory, "broker", "rabbitmq.conf")).ShouldContain("listeners.tcp = none");
    }
}

/// <summary>
/// A RabbitMQ broker of the test's own, started with ops/rabbitmq in TLS mode on free loopback ports, with a private CA,
/// a server certificate for localhost and 127.0.0.1, client certificates for every agency and an unrelated second CA.
/// </summary>
public sealed class TlsBroker : IAsyncLifetime
{
    public const string PfxPassword = "test-only-pfx";
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"seizureintel-tls-{Guid.NewGuid():N}");
    public int Port { get; } = NodeProcess.FreePort();
    public double StartSeconds { get; private set; }
    private readonly int _distPort = NodeProcess.FreePort();
    private string NodeName => $"{Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests"}tls@localhost";
    public string CaFile => File("ca.pem");
    public string File(string name) => Path.Combine(Directory, name);

    private static readonly string Repository = FindRepository();

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var ca = Ca("SeizureIntel test agencies CA");
        Write("ca.pem", ca.ExportCertificatePem());
        var server = Issue(ca, "localhost", server: true);
        Write("server.pem", server.ExportCertificatePem());
        Write("server.key", server.GetRSAPrivateKey()!.ExportRSAPrivateKeyPem());
        foreach (var agency in new[] { "ssep", "ssdc", "mvd" })
        {
            var client = Issue(ca, $"seizureintel_{agency}", server: false);
            Write($"{agency}.pem", client.ExportCertificatePem());
            Write($"{agency}.key", client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
            await System.IO.File.WriteAllBytesAsync(File($"{agency}.pfx"), client.Export(X509ContentType.Pkcs12, PfxPassword));
        }
        Write("other-ca.pem", Ca("Some other CA").ExportCertificatePem());

        await StopAsync(); // a broker of this name left by an interrupted run
        var log = File("start.log");
        var clock = Stopwatch.StartNew();
        var exit = await RunAsync($"exec '{Repository}/ops/rabbitmq' start </dev/null >'{log}' 2>&1", new Dictionary<string, string>
        {
            ["SEIZUREINTEL_RABBITMQ_NODENAME"] = NodeName, ["SEIZUREINTEL_RABBITMQ_PORT"] = Port.ToString(),
            ["SEIZUREINTEL_RABBITMQ_DIST_PORT"] = _distPort.ToString(), ["SEIZUREINTEL_RABBITMQ_BASE"] = File("broker"),
            ["SEIZUREINTEL_RABBITMQ_TLS"] = "1", ["SEIZUREINTEL_RABBITMQ_TLS_CERT"] = File("server.pem"),
            ["SEIZUREINTEL_RABBITMQ_TLS_KEY"] = File("server.key"), ["SEIZUREINTEL_RABBITMQ_TLS_CA"] = CaFile,
            ["SEIZUREINTEL_RABBITMQ_TLS_CLIENT_CERTS"] = "1",
        });
        StartSeconds = clock.Elapsed.TotalSeconds;
        if (exit != 0) throw new InvalidOperationException($"ops/rabbitmq start (TLS) failed ({exit}):\n{await System.IO.File.ReadAllTextAsync(log)}");
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    private Task<int> StopAsync() => RunAsync($"rabbitmqctl -q -n '{NodeName}' stop >/dev/null 2>&1 </dev/null", new Dictionary<string, string>());

    private static async Task<int> RunAsync(string script, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("bash", ["-c", script]) { UseShellExecute = false };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    private void Write(string name, string text) => System.IO.File.WriteAllText(File(name), text);

    private static X509Certificate2 Ca(string name)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string name, bool server)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        return certificate.CopyWithPrivateKey(key);
    }

    private static string FindRepository()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "SeizureIntel.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("the repository (SeizureIntel.sln) is not above the test binary");
    }
}

/// <summary>TLS settings that cannot work stop the node at start-up, naming the setting (no broker needed).</summary>
public sealed class RabbitMqTlsSettingsTests : IDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("seizureintel-tls-settings-").FullName;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Refusal(SeizureIntel.Sharing.SharingOptions sharing) =>
        Should.Throw<InvalidOperationException>(() => SeizureIntel.Sharing.RabbitMqTls.Validate(sharing)).Message;

    [Fact]
    public void a_tls_file_without_tls_a_missing_file_a_file_without_a_certificate_and_a_certificate_without_its_key_are_refused()
    {
        using var key = RSA.Create(2048);
        var certificate = new CertificateRequest("CN=probe", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        var ca = Write("ca.pem", certificate.ExportCertificatePem());

        Refusal(new() { RabbitMqTlsCaFile = ca }).ShouldContain("SeizureIntel:Sharing:RabbitMqTlsCaFile is set but SeizureIntel:Sharing:RabbitMqTls is not true");
        Refusal(new() { RabbitMqTls = true, RabbitMqTlsCaFile = Path.Combine(_directory, "absent.pem") }).ShouldContain("RabbitMqTlsCaFile: no file");
        Refusal(new() { RabbitMqTls = true, RabbitMqTlsCaFile = Write("notes.txt", "not a certificate") }).ShouldContain("holds no PEM certificate");
        Refusal(new() { RabbitMqTls = true, RabbitMqTlsClientCertificate = ca }).ShouldContain("RabbitMqTlsClientCertificate");
        // The same certificate with its key in a second file is accepted; so is a CA file alone.
        var keyFile = Write("probe.key", key.ExportPkcs8PrivateKeyPem());
        SeizureIntel.Sharing.RabbitMqTls.Validate(new() { RabbitMqTls = true, RabbitMqTlsCaFile = ca, RabbitMqTlsClientCertificate = ca, RabbitMqTlsClientKeyFile = keyFile });
    }

    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);
}
