using System.Globalization;
using System.Net;

namespace DaxHolder.Scenarios.Reports.Html;

/// <summary>The HTML report's small helpers: every string from a scenario or the model goes through <see cref="H"/>.</summary>
internal static class HtmlText
{
    /// <summary>HTML-escaped text, safe in element content and in quoted attribute values (&amp; &lt; &gt; " ' are encoded).</summary>
    public static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>"0x18000".</summary>
    public static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>A size in the largest binary unit that divides it ("64 KiB", "1 GiB", "4096 B").</summary>
    public static string Size(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (unit < units.Length - 1 && bytes >= 1024 && bytes % 1024 == 0)
        {
            bytes /= 1024;
            unit++;
        }

        return $"{bytes.ToString(CultureInfo.InvariantCulture)} {units[unit]}";
    }
}

/// <summary>
/// One colour per inode across a run's maps (the same file keeps its colour from map to map),
/// given in inode order: a fixed palette first, then hues spread around the wheel. Red is left
/// for poisoned pages and grey for metadata.
/// </summary>
internal sealed class MapColours
{
    private static readonly string[] Palette =
    [
        "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#edc948", "#76b7b2",
        "#ff9da7", "#9c755f", "#1f77b4", "#bcbd22", "#17becf", "#8c564b",
    ];

    private readonly Dictionary<ulong, string> colours = [];

    public MapColours(IEnumerable<ulong> inodes)
    {
        ArgumentNullException.ThrowIfNull(inodes);
        var index = 0;
        foreach (var inode in inodes.Distinct().Order())
        {
            colours[inode] = index < Palette.Length
                ? Palette[index]
                : string.Create(CultureInfo.InvariantCulture, $"hsl({25 + (index * 47 % 310)}, 55%, {45 + (index % 3 * 10)}%)");
            index++;
        }
    }

    /// <summary>The colour of <paramref name="inode"/> (a neutral one for an inode no map named).</summary>
    public string Of(ulong inode) => colours.GetValueOrDefault(inode, "#999999");
}
