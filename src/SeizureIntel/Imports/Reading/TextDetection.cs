using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace SeizureIntel.Imports.Reading;

/// <summary>What one pass over a file's bytes tells: its SHA-256, its encoding and whether it is an XLSX package.</summary>
public sealed record FileFacts(string Sha256, long Length, Encoding Encoding, bool Bom, bool Xlsx);

/// <summary>
/// Encoding and delimiter detection. A file is UTF-8 when it starts with the UTF-8 byte order mark or when every byte
/// of it is valid UTF-8 (checked over the whole file, in the same pass that hashes it); otherwise Windows-1251 (the
/// Russian Windows code page that Excel uses for "CSV" there). The delimiter is the one of ; tab , that the header
/// line holds most often outside quotes.
/// </summary>
public static class TextDetection
{
    static TextDetection() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static readonly Encoding Utf8Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Encoding Windows1251 => Encoding.GetEncoding(1251);

    public static Encoding? EncodingNamed(string name) => name.Trim().ToLowerInvariant() switch
    {
        "utf-8" or "utf8" => Utf8Strict,
        "windows-1251" or "cp1251" or "1251" => Windows1251,
        _ => null,
    };

    /// <summary>Hashes the stream from where it stands to its end and finds its encoding; leaves it at its end.</summary>
    public static async Task<FileFacts> ScanAsync(Stream stream, CancellationToken token = default)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        var carry = 0; // bytes of an incomplete UTF-8 sequence kept at the start of the buffer
        var valid = true;
        long length = 0;
        var head = new byte[4];
        var headLength = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(carry, buffer.Length - carry), token)) > 0)
        {
            sha.AppendData(buffer, carry, read);
            for (var i = 0; headLength < 4 && i < read; i++) head[headLength++] = buffer[carry + i];
            length += read;
            var total = carry + read;
            if (valid)
            {
                var complete = CompleteLength(buffer.AsSpan(0, total));
                valid = Utf8.IsValid(buffer.AsSpan(0, complete));
                carry = total - complete;
                buffer.AsSpan(complete, carry).CopyTo(buffer);
            }
        }
        if (carry > 0) valid = false; // the file ends inside a UTF-8 sequence
        var bom = headLength >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF;
        var xlsx = headLength >= 4 && head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04; // "PK\3\4": a zip
        var encoding = bom || valid ? Utf8Strict : Windows1251;
        return new FileFacts(Convert.ToHexStringLower(sha.GetHashAndReset()), length, encoding, bom, xlsx);
    }

    /// <summary>The length of the bytes up to the last complete UTF-8 sequence (an incomplete tail waits for the next chunk).</summary>
    private static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(4, bytes.Length); back++)
        {
            var b = bytes[^back];
            if (b < 0x80) return bytes.Length; // ASCII: everything before is complete
            if (b >= 0xC0) // a lead byte: complete only if the bytes after it are all there
            {
                var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return back >= needed ? bytes.Length : bytes.Length - back;
            }
        }
        return bytes.Length;
    }

    public static readonly char[] Delimiters = [';', '\t', ','];

    /// <summary>The delimiter the header line uses: the most frequent of ; tab , outside quotes (',' when none).</summary>
    public static char Delimiter(string headerLine)
    {
        var counts = new Dictionary<char, int> { [';'] = 0, ['\t'] = 0, [','] = 0 };
        var quoted = false;
        foreach (var ch in headerLine)
        {
            if (ch == '"') quoted = !quoted;
            else if (!quoted && counts.ContainsKey(ch)) counts[ch]++;
        }
        var best = Delimiters.MaxBy(d => counts[d]);
        return counts[best] == 0 ? ',' : best;
    }
}
