using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;

namespace SeizureIntel.Sharing;

/// <summary>
/// TLS to the RabbitMQ broker by configuration (issue 12, point 5): the broker's certificate must be valid for the
/// configured name and chain either to the operating system's roots or, with <see cref="SharingOptions.RabbitMqTlsCaFile"/>,
/// to the agencies' private CA alone; optionally this node shows a client certificate (mutual TLS). A refused
/// certificate fails the connection with the reason (which name, which issuer, which chain error), never silently.
/// </summary>
public static class RabbitMqTls
{
    /// <summary>Configures the connection's TLS from <paramref name="sharing"/> (only when <see cref="SharingOptions.RabbitMqTls"/>).</summary>
    public static void Apply(SslOption ssl, SharingOptions sharing)
    {
        var serverName = sharing.RabbitMqTlsServerName.Length > 0 ? sharing.RabbitMqTlsServerName : sharing.RabbitMqHost;
        ssl.Enabled = true;
        ssl.ServerName = serverName;
        ssl.Version = SslProtocols.Tls12 | SslProtocols.Tls13;
        ssl.AcceptablePolicyErrors = SslPolicyErrors.None;
        var roots = sharing.RabbitMqTlsCaFile.Length > 0 ? LoadCa(sharing.RabbitMqTlsCaFile) : null;
        ssl.CertificateValidationCallback = Validator(serverName, roots, sharing.RabbitMqTlsCaFile);
        if (sharing.RabbitMqTlsClientCertificate.Length > 0) ssl.Certs = new X509CertificateCollection { LoadClientCertificate(sharing) };
    }

    /// <summary>Refuses a misconfiguration at start-up, naming the setting.</summary>
    public static void Validate(SharingOptions sharing)
    {
        const string prefix = "SeizureIntel:Sharing:";
        var tlsOnly = new[]
        {
            ("RabbitMqTlsCaFile", sharing.RabbitMqTlsCaFile), ("RabbitMqTlsClientCertificate", sharing.RabbitMqTlsClientCertificate),
            ("RabbitMqTlsClientKeyFile", sharing.RabbitMqTlsClientKeyFile),
        };
        foreach (var (key, value) in tlsOnly.Where(t => t.Item2.Length > 0))
        {
            if (!sharing.RabbitMqTls) throw new InvalidOperationException($"{prefix}{key} is set but {prefix}RabbitMqTls is not true: the connection would not use it.");
            if (!File.Exists(value)) throw new InvalidOperationException($"{prefix}{key}: no file '{value}'.");
        }
        if (sharing.RabbitMqTls && sharing.RabbitMqTlsCaFile.Length > 0) LoadCa(sharing.RabbitMqTlsCaFile);
        if (sharing.RabbitMqTls && sharing.RabbitMqTlsClientCertificate.Length > 0) LoadClientCertificate(sharing);
    }

    /// <summary>
    /// Accepts the broker's certificate only when it is valid for <paramref name="serverName"/> and its chain ends at one
    /// of <paramref name="roots"/> (or, without them, at a root the operating system trusts). Throws the reason otherwise,
    /// so that it reaches the node's log in the connection's failure.
    /// </summary>
    public static RemoteCertificateValidationCallback Validator(string serverName, X509Certificate2Collection? roots, string caFile) =>
        (_, certificate, chain, errors) =>
        {
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
                throw new AuthenticationException($"RabbitMQ TLS: the broker presented no certificate (expected one for '{serverName}').");
            using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
                throw new AuthenticationException(
                    $"RabbitMQ TLS: the broker's certificate ({presented.Subject}) is not valid for the name '{serverName}' " +
                    "(SeizureIntel:Sharing:RabbitMqTlsServerName, or RabbitMqHost when that is empty).");
            if (roots is null)
            {
                if (errors == SslPolicyErrors.None) return true;
                throw new AuthenticationException(
                    $"RabbitMQ TLS: the broker's certificate ({presented.Subject}, issued by {presented.Issuer}) is not trusted by this machine " +
                    $"({Statuses(chain)}); a private CA is trusted with SeizureIntel:Sharing:RabbitMqTlsCaFile.");
            }
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(roots);
            // A private CA rarely publishes revocation lists; its certificates are short-lived instead (README, RabbitMQ TLS).
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            custom.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")); // server authentication
            if (chain is not null)
                foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            if (custom.Build(presented)) return true;
            throw new AuthenticationException(
                $"RabbitMQ TLS: the broker's certificate ({presented.Subject}, issued by {presented.Issuer}) does not chain to the CA in " +
                $"SeizureIntel:Sharing:RabbitMqTlsCaFile ({caFile}): {Statuses(custom)}.");
        };

    private static string Statuses(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0
            ? "no chain"
            : string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}").Distinct());

    private static X509Certificate2Collection LoadCa(string file)
    {
        var roots = new X509Certificate2Collection();
        try { roots.ImportFromPemFile(file); }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException)
        {
            throw new InvalidOperationException($"SeizureIntel:Sharing:RabbitMqTlsCaFile: '{file}' is not a readable PEM certificate file ({e.Message}).", e);
        }
        if (roots.Count == 0) throw new InvalidOperationException($"SeizureIntel:Sharing:RabbitMqTlsCaFile: '{file}' holds no PEM certificate.");
        return roots;
    }

    private static X509Certificate2 LoadClientCertificate(SharingOptions sharing)
    {
        var file = sharing.RabbitMqTlsClientCertificate;
        try
        {
            var certificate = Path.GetExtension(file).ToLowerInvariant() is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(file, sharing.RabbitMqTlsClientCertificatePassword.Length > 0 ? sharing.RabbitMqTlsClientCertificatePassword : null)
                : X509Certificate2.CreateFromPemFile(file, sharing.RabbitMqTlsClientKeyFile.Length > 0 ? sharing.RabbitMqTlsClientKeyFile : null);
            if (!certificate.HasPrivateKey) throw new InvalidOperationException($"SeizureIntel:Sharing:RabbitMqTlsClientCertificate: '{file}' has no private key.");
            return certificate;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"SeizureIntel:Sharing:RabbitMqTlsClientCertificate: '{file}' could not be loaded with its key ({e.Message}).", e);
        }
    }
}
