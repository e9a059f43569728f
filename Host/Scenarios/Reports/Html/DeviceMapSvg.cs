using System.Globalization;
using System.Text;
using static DaxHolder.Scenarios.Reports.Html.HtmlText;

namespace DaxHolder.Scenarios.Reports.Html;

/// <summary>
/// A <see cref="DeviceMap"/> as inline SVG: rows of blocks (4 KiB pages), each file's extents in its
/// own colour, filesystem metadata grey, free space pale, shared (reflinked) blocks hatched, and one
/// red marker per poisoned page. A device with more blocks than the map has cells is drawn in bins
/// of a power of two blocks; a bin holding more than one kind of thing is "mixed". When the whole
/// device is binned, a second map shows the data area (every file extent and poisoned page) closer.
/// </summary>
internal static class DeviceMapSvg
{
    private const int Columns = 128;
    private const int MaxRows = 32;
    private const int CellWidth = 8;
    private const int RowHeight = 14;
    private const int RowPitch = 17;
    private const int LabelWidth = 92;
    private const int Width = LabelWidth + (Columns * CellWidth) + 4;
    private const string Free = "#eef0f3";
    private const string Outside = "#ffffff";
    private const string Metadata = "#6e6e6e";
    private const string Mixed = "#c9b8d9";

    /// <summary>The map's figure: the whole device, the data area when the whole is binned, and the legend.</summary>
    public static void Render(StringBuilder html, DeviceMap map, MapColours colours, string id)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(map);
        var spans = Spans.Of(map);
        html.Append("<figure class=\"map\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<figcaption>{H(map.Device)}: {H(Size(map.Size))}, {map.Blocks.ToString(CultureInfo.InvariantCulture)} blocks of 4 KiB");
        html.Append(map.Note is null ? "" : $" ({H(map.Note)})").Append("</figcaption>\n");
        var whole = Svg(html, map, spans, colours, id, 0, map.Blocks, "the whole device");
        if (whole > 1 && DataArea(map) is { } area && area.To - area.From < map.Blocks)
        {
            Svg(html, map, spans, colours, id + "-data", area.From, area.To, "the data area");
        }

        Legend(html, map, colours);
        html.Append("</figure>\n");
    }

    /// <summary>The blocks holding every file extent and poisoned page, widened to whole rows; null when there are none.</summary>
    private static (ulong From, ulong To)? DataArea(DeviceMap map)
    {
        var starts = map.Records.Where(r => r.Inode is not null).Select(r => r.Start / DeviceMap.BlockSize)
            .Concat(map.Poisoned.Select(p => p.Offset / DeviceMap.BlockSize)).ToList();
        if (starts.Count == 0)
        {
            return null;
        }

        var ends = map.Records.Where(r => r.Inode is not null).Select(r => (r.Start + r.Length + DeviceMap.BlockSize - 1) / DeviceMap.BlockSize)
            .Concat(map.Poisoned.Select(p => (p.Offset / DeviceMap.BlockSize) + 1));
        var from = starts.Min() / Columns * Columns;
        var to = Math.Min(map.Blocks, (ends.Max() + Columns - 1) / Columns * Columns);
        return (from, to);
    }

    /// <summary>One map of blocks [from, to); returns the blocks per cell it used.</summary>
    private static ulong Svg(StringBuilder html, DeviceMap map, Spans spans, MapColours colours, string id, ulong from, ulong to, string what)
    {
        var blocks = Math.Max(1, to - from);
        var perCell = 1UL;
        while (blocks > perCell * Columns * MaxRows)
        {
            perCell *= 2;
        }

        var cells = (blocks + perCell - 1) / perCell;
        var rows = (int)((cells + Columns - 1) / Columns);
        var height = (rows * RowPitch) + 4;
        var unit = perCell == 1 ? "one block per cell" : $"{perCell.ToString(CultureInfo.InvariantCulture)} blocks ({Size(perCell * DeviceMap.BlockSize)}) per cell";
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"mapwhat\">{H(what)}: {Hex(from * DeviceMap.BlockSize)}–{Hex(Math.Min(to * DeviceMap.BlockSize, map.Size))}, {H(unit)}</p>\n");
        html.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{H(id)}\" class=\"devmap\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{H(map.Device)}: {H(what)}\" data-blocks-per-cell=\"{perCell.ToString(CultureInfo.InvariantCulture)}\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<defs><pattern id=\"{H(id)}-hatch\" patternUnits=\"userSpaceOnUse\" width=\"4\" height=\"4\"><path d=\"M-1,1 l2,-2 M0,4 l4,-4 M3,5 l2,-2\" stroke=\"#000\" stroke-width=\"1.2\" stroke-opacity=\"0.6\"/></pattern></defs>\n");
        for (var row = 0; row < rows; row++)
        {
            var y = 2 + (row * RowPitch);
            var first = from + ((ulong)row * Columns * perCell);
            html.Append(CultureInfo.InvariantCulture, $"<text class=\"off\" x=\"{LabelWidth - 6}\" y=\"{y + RowHeight - 3}\">{Hex(first * DeviceMap.BlockSize)}</text>\n");
            var inRow = (int)Math.Min(Columns, cells - ((ulong)row * Columns));
            var c = 0;
            while (c < inRow)
            {
                var look = spans.Look(Range(first, c, perCell, to), colours);
                var run = 1;
                while (c + run < inRow && spans.Look(Range(first, c + run, perCell, to), colours) == look)
                {
                    run++;
                }

                var (start, _) = Range(first, c, perCell, to);
                var (_, end) = Range(first, c + run - 1, perCell, to);
                var x = LabelWidth + (c * CellWidth);
                var title = $"{Hex(start * DeviceMap.BlockSize)}–{Hex(end * DeviceMap.BlockSize)}: {look.Text}";
                html.Append(CultureInfo.InvariantCulture, $"<rect class=\"{look.Kind}\" x=\"{x}\" y=\"{y}\" width=\"{run * CellWidth}\" height=\"{RowHeight}\" fill=\"{look.Fill}\"><title>{H(title)}</title></rect>\n");
                if (look.Shared)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<rect class=\"shared\" x=\"{x}\" y=\"{y}\" width=\"{run * CellWidth}\" height=\"{RowHeight}\" fill=\"url(#{H(id)}-hatch)\" pointer-events=\"none\"/>\n");
                }

                c += run;
            }
        }

        foreach (var page in map.Poisoned)
        {
            var block = page.Offset / DeviceMap.BlockSize;
            if (block < from || block >= to)
            {
                continue;
            }

            var cell = (block - from) / perCell;
            var cx = LabelWidth + ((int)(cell % Columns) * CellWidth) + (CellWidth / 2);
            var cy = 2 + ((int)(cell / Columns) * RowPitch) + (RowHeight / 2);
            var why = string.Join(", ", page.Why);
            html.Append(CultureInfo.InvariantCulture, $"<circle class=\"poison\" cx=\"{cx}\" cy=\"{cy}\" r=\"3.6\" data-offset=\"{Hex(page.Offset)}\" data-pfn=\"{Hex(page.Pfn)}\"><title>{H($"poisoned page at {Hex(page.Offset)} (pfn {Hex(page.Pfn)}): {why}")}</title></circle>\n");
        }

        html.Append("</svg>\n");
        return perCell;
    }

    /// <summary>The blocks of cell <paramref name="cell"/> of a row starting at block <paramref name="first"/>, clipped to <paramref name="to"/>.</summary>
    private static (ulong Start, ulong End) Range(ulong first, int cell, ulong perCell, ulong to)
    {
        var start = first + ((ulong)cell * perCell);
        return (start, Math.Min(start + perCell, to));
    }

    private static void Legend(StringBuilder html, DeviceMap map, MapColours colours)
    {
        html.Append("<ul class=\"legend\">\n");
        foreach (var file in map.Files)
        {
            var bytes = map.Records.Where(r => r.Inode == file.Inode).Aggregate(0UL, (sum, r) => sum + r.Length);
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"file\" data-inode=\"{file.Inode.ToString(CultureInfo.InvariantCulture)}\"><span class=\"sw\" style=\"background:{colours.Of(file.Inode)}\"></span>{H(file.Path)} <span class=\"dim\">inode {file.Inode.ToString(CultureInfo.InvariantCulture)}, {H(Size(bytes))} mapped</span></li>\n");
        }

        var kinds = map.Records.Where(r => r.Inode is null).Select(r => r.Metadata ?? "?").Distinct(StringComparer.Ordinal).ToList();
        if (kinds.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"meta\"><span class=\"sw\" style=\"background:{Metadata}\"></span>filesystem metadata <span class=\"dim\">({H(string.Join(", ", kinds))})</span></li>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"<li><span class=\"sw hatch\"></span>shared (reflinked): more than one file's record</li>\n");
        html.Append(CultureInfo.InvariantCulture, $"<li><span class=\"sw\" style=\"background:{Mixed}\"></span>mixed: a bin holding more than one owner</li>\n");
        html.Append(CultureInfo.InvariantCulture, $"<li><span class=\"sw\" style=\"background:{Free}\"></span>free (no reverse-map record)</li>\n");
        if (map.FileSystemStart is { } start && (start > 0 || map.FileSystemSize < map.Size))
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><span class=\"sw\" style=\"background:{Outside}\"></span>outside the filesystem ({Hex(start)}–{Hex(start + map.FileSystemSize)} is the filesystem)</li>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"<li><span class=\"sw dot\"></span>poisoned page ({map.Poisoned.Count.ToString(CultureInfo.InvariantCulture)})</li>\n");
        html.Append("</ul>\n");
    }

    /// <summary>The look of a span of blocks: its kind (CSS class), fill, whether hatched, and what it holds in words.</summary>
    internal readonly record struct SpanLook(string Kind, string Fill, bool Shared, string Text);

    /// <summary>The records cut into disjoint intervals of bytes, each with its owners.</summary>
    private sealed class Spans
    {
        private readonly DeviceMap map;
        private readonly List<(ulong Start, ulong End, IReadOnlyList<MapRecord> Owners)> intervals;
        private readonly Dictionary<ulong, string> names;

        private Spans(DeviceMap map, List<(ulong, ulong, IReadOnlyList<MapRecord>)> intervals)
        {
            this.map = map;
            this.intervals = intervals;
            names = map.Files.ToDictionary(f => f.Inode, f => f.Path);
        }

        public static Spans Of(DeviceMap map)
        {
            var points = new SortedSet<ulong>();
            foreach (var r in map.Records.Where(r => r.Length > 0))
            {
                points.Add(r.Start);
                points.Add(r.Start + r.Length);
            }

            var sorted = map.Records.Where(r => r.Length > 0).OrderBy(r => r.Start).ToList();
            var active = new List<MapRecord>();
            var next = 0;
            var intervals = new List<(ulong, ulong, IReadOnlyList<MapRecord>)>();
            ulong? previous = null;
            foreach (var point in points)
            {
                if (previous is { } start && active.Count > 0)
                {
                    intervals.Add((start, point, active.ToList()));
                }

                active.RemoveAll(r => r.Start + r.Length <= point);
                while (next < sorted.Count && sorted[next].Start == point)
                {
                    active.Add(sorted[next++]);
                }

                previous = point;
            }

            return new Spans(map, intervals);
        }

        /// <summary>What blocks [start, end) hold.</summary>
        public SpanLook Look((ulong Start, ulong End) blocks, MapColours colours)
        {
            var from = blocks.Start * DeviceMap.BlockSize;
            var to = blocks.End * DeviceMap.BlockSize;
            if (map.FileSystemStart is { } fs && (to <= fs || from >= fs + map.FileSystemSize))
            {
                return new SpanLook("outside", Outside, false, "outside the filesystem");
            }

            var index = FirstEndingAfter(from);
            var sets = new List<IReadOnlyList<MapRecord>>();
            for (var i = index; i < intervals.Count && intervals[i].Start < to; i++)
            {
                sets.Add(intervals[i].Owners);
            }

            if (sets.Count == 0)
            {
                return new SpanLook("free", Free, false, "free");
            }

            var shared = sets.Any(s => s.Count(r => r.Inode is not null) > 1);
            // What the blocks hold, with every kind of metadata as one: a bin of metadata alone is not mixed.
            var keys = sets.Select(s => string.Join(",", s.Select(r => r.Inode?.ToString(CultureInfo.InvariantCulture) ?? "metadata").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)))
                .Distinct(StringComparer.Ordinal).Count();
            var text = string.Join(", ", sets.SelectMany(s => s).Select(Describe).Distinct(StringComparer.Ordinal)) + (shared ? " (shared)" : "");
            if (keys > 1)
            {
                return new SpanLook("mixed", Mixed, shared, "mixed: " + text);
            }

            var first = sets[0].OrderBy(r => r.Inode is null).ThenBy(r => r.Inode).First();
            return first.Inode is { } ino
                ? new SpanLook("file", colours.Of(ino), shared, text)
                : new SpanLook("meta", Metadata, false, text);
        }

        private string Describe(MapRecord record) =>
            record.Inode is { } ino
                ? $"{(names.TryGetValue(ino, out var path) ? path : "?")} (inode {ino.ToString(CultureInfo.InvariantCulture)}{(record.Flags.Length == 0 ? "" : ", " + record.Flags)})"
                : $"metadata {record.Metadata}";

        /// <summary>The first interval ending after <paramref name="offset"/> (intervals are sorted and disjoint).</summary>
        private int FirstEndingAfter(ulong offset)
        {
            int low = 0, high = intervals.Count;
            while (low < high)
            {
                var mid = (low + high) / 2;
                if (intervals[mid].End <= offset)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            return low;
        }
    }
}
