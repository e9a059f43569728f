namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>
/// The static metadata extents mke2fs lays out, kept as runs: the same kind for consecutive
/// groups, each group's piece the same size and right after the previous one, is one run. Under
/// flex_bg (alloc_tables.c: flexbg_offset) a flex group's block bitmaps, inode bitmaps and inode
/// tables are each one run, so a 64 TiB filesystem's 524,288 groups take some 100,000 runs rather
/// than 1.6 million extents; a run is expanded into the per-group extents only where asked.
/// </summary>
internal sealed class MetadataRuns
{
    private readonly List<Run> byStart = [];
    private readonly Dictionary<string, List<Run>> byKind = [];
    private bool sorted = true;

    /// <summary>Every extent, in block order.</summary>
    public IEnumerable<MetadataExtent> All => In(0, ulong.MaxValue);

    /// <summary>Adds the extent of <paramref name="kind"/> for <paramref name="group"/>, extending the kind's last run when it continues it.</summary>
    public void Add(ulong start, ulong count, string kind, uint group)
    {
        if (!byKind.TryGetValue(kind, out var runs))
        {
            runs = [];
            byKind.Add(kind, runs);
        }

        if (runs.Count > 0 && runs[^1] is var last && last.PerGroup == count && last.FirstGroup + last.Groups == group && last.End == start)
        {
            last.Groups++;
            return;
        }

        var run = new Run(start, count, kind, group);
        runs.Add(run);
        sorted &= byStart.Count == 0 || byStart[^1].Start < start;
        byStart.Add(run);
    }

    /// <summary>The extents overlapping blocks [from, to), in block order.</summary>
    public IEnumerable<MetadataExtent> In(ulong from, ulong to)
    {
        Sort();
        int lo = 0, hi = byStart.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (byStart[mid].End > from)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        for (var i = lo; i < byStart.Count && byStart[i].Start < to; i++)
        {
            var run = byStart[i];
            var first = from > run.Start ? (uint)((from - run.Start) / run.PerGroup) : 0u;
            for (var k = first; k < run.Groups; k++)
            {
                var start = run.Start + (k * run.PerGroup);
                if (start >= to)
                {
                    break;
                }

                yield return new MetadataExtent(start, run.PerGroup, run.Kind, run.FirstGroup + k);
            }
        }
    }

    /// <summary>The extent of <paramref name="kind"/> that describes <paramref name="group"/>, or null.</summary>
    public MetadataExtent? Find(string kind, uint group)
    {
        if (!byKind.TryGetValue(kind, out var runs))
        {
            return null;
        }

        int lo = 0, hi = runs.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (runs[mid].FirstGroup + runs[mid].Groups > group)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo < runs.Count && runs[lo].FirstGroup <= group
            ? new MetadataExtent(runs[lo].Start + ((group - runs[lo].FirstGroup) * runs[lo].PerGroup), runs[lo].PerGroup, kind, group)
            : null;
    }

    private void Sort()
    {
        if (!sorted)
        {
            byStart.Sort((a, b) => a.Start.CompareTo(b.Start));
            sorted = true;
        }
    }

    /// <summary>Groups [FirstGroup, FirstGroup + Groups) each have PerGroup blocks of Kind, one after another from Start.</summary>
    private sealed class Run(ulong start, ulong perGroup, string kind, uint firstGroup)
    {
        public ulong Start { get; } = start;

        public ulong PerGroup { get; } = perGroup;

        public string Kind { get; } = kind;

        public uint FirstGroup { get; } = firstGroup;

        public uint Groups { get; set; } = 1;

        public ulong End => Start + (PerGroup * Groups);
    }
}
