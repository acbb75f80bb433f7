using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Alba;

namespace SeizureIntel.Tests.Identity;

/// <summary>
/// A minimal browser over the test server: keeps cookies, does not follow redirects (the tests look at each), and reads
/// the sign-in page's antiforgery token the way a browser posts it back.
/// </summary>
public sealed partial class Browser : IDisposable
{
    private readonly CookieContainer _cookies = new();
    public HttpClient Http { get; }

    public Browser(IAlbaHost host)
    {
        Http = new HttpClient(new Jar(_cookies) { InnerHandler = host.Server.CreateHandler() }) { BaseAddress = new Uri("http://localhost") };
    }

    public async Task<HttpResponseMessage> GetAsync(string url) => await Http.GetAsync(url);

    /// <summary>Posts the form fields with the antiforgery token of <paramref name="page"/> (the HTML the form came in).</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, string action, Dictionary<string, string> fields)
    {
        var token = TokenField().Match(page);
        if (token.Success) fields[token.Groups[1].Value] = WebUtility.HtmlDecode(token.Groups[2].Value);
        var back = ReturnUrlField().Match(page);
        if (back.Success && !fields.ContainsKey("returnUrl")) fields["returnUrl"] = WebUtility.HtmlDecode(back.Groups[1].Value);
        return await Http.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("""<input type="hidden" name="(__RequestVerificationToken[^"]*)" value="([^"]*)">""")]
    private static partial Regex TokenField();

    [GeneratedRegex("""<input type="hidden" name="returnUrl" value="([^"]*)">""")]
    private static partial Regex ReturnUrlField();

    public void Dispose() => Http.Dispose();

    private sealed class Jar(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = new Uri("http://localhost" + request.RequestUri!.PathAndQuery);
            var header = cookies.GetCookieHeader(uri);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
                foreach (var cookie in set) cookies.SetCookies(uri, cookie);
            return response;
        }
    }
}

/// <summary>RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) written here, independently of Identity's own implementation.</summary>
public static class Totp
{
    public static string Code(string base32Key, DateTimeOffset at)
    {
        var key = Base32(base32Key);
        var counter = at.ToUnixTimeSeconds() / 30;
        var message = BitConverter.GetBytes(counter);
        if (BitConverter.IsLittleEndian) Array.Reverse(message);
        var hash = HMACSHA1.HashData(key, message);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6");
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var bytes = new List<byte>();
        foreach (var c in text.ToUpperInvariant().TrimEnd('='))
        {
            value = (value << 5) | alphabet.IndexOf(c);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }
}
