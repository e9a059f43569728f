using System.Buffers;
using System.Text;

namespace DaxHolder.Scenarios.Language;

/// <summary>
/// The bytes of a scenario file as text: at most <see cref="ScenarioLimits.FileBytes"/>, strict
/// UTF-8 (an optional byte order mark), no NUL. Each refusal names the line and column of the
/// offending byte (columns count bytes) and its offset in the file.
/// </summary>
internal static class ScenarioText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <paramref name="file"/>; an unreadable, oversized or non-UTF-8 file is a located error.</summary>
    public static string Read(string file)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var buffer = new MemoryStream();
            CopyAtMost(stream, buffer, ScenarioLimits.FileBytes + 1L);
            bytes = buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException(new SourceLocation(file, 0, 0, "(file)"), $"cannot read: {e.Message}");
        }

        if (bytes.Length > ScenarioLimits.FileBytes)
        {
            throw new ScenarioException(At(file, bytes, ScenarioLimits.FileBytes, "(file)"),
                $"the file is larger than {ScenarioLimits.Count(ScenarioLimits.FileBytes)} bytes (4 MiB), the most a scenario may be");
        }

        return Decode(file, bytes);
    }

    /// <summary>The text of <paramref name="bytes"/>: strict UTF-8, a leading byte order mark dropped.</summary>
    public static string Decode(string file, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        string text;
        try
        {
            text = Strict.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            var bad = FirstInvalid(bytes, start);
            throw new ScenarioException(At(file, bytes, bad, "(encoding)"), $"byte 0x{bytes[bad]:x2} at offset {bad} is not UTF-8: a scenario is UTF-8 text");
        }

        if (Array.IndexOf(bytes, (byte)0) is var nul and >= 0)
        {
            throw new ScenarioException(At(file, bytes, nul, "(encoding)"), $"a NUL byte at offset {nul}: a scenario is text");
        }

        return text;
    }

    /// <summary>Refuses a NUL character in text given directly (the demo, tests, the fuzzer).</summary>
    public static void CheckText(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > ScenarioLimits.FileBytes)
        {
            throw new ScenarioException(new SourceLocation(file, 1, 1, "(file)"), $"the text is longer than {ScenarioLimits.Count(ScenarioLimits.FileBytes)} characters, the most a scenario may be");
        }

        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            var line = 1 + text.AsSpan(0, nul).Count('\n');
            var column = nul - (text.LastIndexOf('\n', nul) + 1) + 1;
            throw new ScenarioException(new SourceLocation(file, line, column, "(encoding)"), $"a NUL character at offset {nul}: a scenario is text");
        }
    }

    private static void CopyAtMost(Stream from, Stream to, long most)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long copied = 0;
            int n;
            while (copied < most && (n = from.Read(buffer, 0, (int)Math.Min(buffer.Length, most - copied))) > 0)
            {
                to.Write(buffer, 0, n);
                copied += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int FirstInvalid(byte[] bytes, int start)
    {
        var span = bytes.AsSpan();
        for (var i = start; i < bytes.Length;)
        {
            if (Rune.DecodeFromUtf8(span[i..], out _, out var consumed) != OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return bytes.Length - 1;
    }

    /// <summary>The line and column (in bytes) of byte <paramref name="offset"/>.</summary>
    private static SourceLocation At(string file, byte[] bytes, int offset, string field)
    {
        var before = bytes.AsSpan(0, Math.Min(offset, bytes.Length));
        var line = 1 + before.Count((byte)'\n');
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return new SourceLocation(file, line, offset - lineStart + 1, field);
    }
}
