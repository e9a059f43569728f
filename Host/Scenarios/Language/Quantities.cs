using System.Globalization;
using DaxHolder.Abstractions;

namespace DaxHolder.Scenarios.Language;

/// <summary>
/// The numbers a scenario writes: decimal or 0x-hex integers, and sizes with binary suffixes
/// ("64KiB", "2MiB", "1GiB", "4096", "0x1000"). Anything else is refused, never guessed.
/// </summary>
internal static class Quantities
{
    private static readonly (string Suffix, ulong Factor)[] Suffixes =
    [
        ("KiB", 1UL << 10), ("MiB", 1UL << 20), ("GiB", 1UL << 30), ("TiB", 1UL << 40),
        ("K", 1UL << 10), ("M", 1UL << 20), ("G", 1UL << 30), ("T", 1UL << 40),
    ];

    /// <summary>An unsigned integer, decimal or 0x-hex.</summary>
    public static bool TryParseInteger(string text, out ulong value)
    {
        text = text.Trim().Replace("_", "", StringComparison.Ordinal);
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A byte size: an integer with an optional binary suffix (K/KiB, M/MiB, G/GiB, T/TiB).</summary>
    public static bool TryParseSize(string text, out ByteLength size)
    {
        size = default;
        text = text.Trim();
        foreach (var (suffix, factor) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && TryParseInteger(text[..^suffix.Length], out var n))
            {
                if (n > ulong.MaxValue / factor)
                {
                    return false;
                }

                size = new ByteLength(n * factor);
                return true;
            }
        }

        if (TryParseInteger(text, out var bytes))
        {
            size = new ByteLength(bytes);
            return true;
        }

        return false;
    }

    /// <summary>How a report writes a size: "64KiB", "2MiB", or the byte count when it is not a whole unit.</summary>
    public static string FormatSize(ulong bytes)
    {
        foreach (var (suffix, factor) in Suffixes.Take(4).Reverse())
        {
            if (bytes >= factor && bytes % factor == 0)
            {
                return (bytes / factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
