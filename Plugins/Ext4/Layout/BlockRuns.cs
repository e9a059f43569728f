namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>
/// A set of blocks kept as sorted, disjoint, maximal runs [Start, End): what a bitmap says, in
/// memory that grows with the number of runs rather than with the device (a 64 TiB filesystem
/// has 2^34 blocks but, freshly made, a few runs per flex group).
/// </summary>
internal sealed class BlockRuns
{
    private readonly List<(ulong Start, ulong End)> runs = [];

    /// <summary>The runs in block order.</summary>
    public IReadOnlyList<(ulong Start, ulong End)> Runs => runs;

    /// <summary>Whether the set is empty.</summary>
    public bool IsEmpty => runs.Count == 0;

    /// <summary>Whether <paramref name="block"/> is in the set.</summary>
    public bool Contains(ulong block)
    {
        var i = FirstEndingAfter(block);
        return i < runs.Count && runs[i].Start <= block;
    }

    /// <summary>The first run that ends after <paramref name="block"/> (it may start after it), or null.</summary>
    public (ulong Start, ulong End)? NextFrom(ulong block)
    {
        var i = FirstEndingAfter(block);
        return i < runs.Count ? runs[i] : null;
    }

    /// <summary>The first block of [start, end) already in the set, or null.</summary>
    public ulong? FirstIn(ulong start, ulong end) =>
        NextFrom(start) is { } r && r.Start < end ? Math.Max(r.Start, start) : null;

    /// <summary>How many blocks of [start, end) are in the set.</summary>
    public ulong CountIn(ulong start, ulong end)
    {
        ulong n = 0;
        for (var i = FirstEndingAfter(start); i < runs.Count && runs[i].Start < end; i++)
        {
            n += Math.Min(runs[i].End, end) - Math.Max(runs[i].Start, start);
        }

        return n;
    }

    /// <summary>Adds [start, end), which must not meet the set (the caller checks with <see cref="FirstIn"/>), merging with touching runs.</summary>
    public void Add(ulong start, ulong end)
    {
        if (start >= end)
        {
            return;
        }

        var i = FirstEndingAfter(start);
        if (i > 0 && runs[i - 1].End == start)
        {
            i--;
            start = runs[i].Start;
            runs.RemoveAt(i);
        }

        if (i < runs.Count && runs[i].Start == end)
        {
            end = runs[i].End;
            runs.RemoveAt(i);
        }

        runs.Insert(i, (start, end));
    }

    /// <summary>Removes [start, end), which must lie in one run (the caller checks), splitting it.</summary>
    public void Remove(ulong start, ulong end)
    {
        if (start >= end)
        {
            return;
        }

        var i = FirstEndingAfter(start);
        var (s, e) = runs[i];
        runs.RemoveAt(i);
        if (end < e)
        {
            runs.Insert(i, (end, e));
        }

        if (s < start)
        {
            runs.Insert(i, (s, start));
        }
    }

    /// <summary>Whether [start, end) lies wholly in one run.</summary>
    public bool Covers(ulong start, ulong end) =>
        NextFrom(start) is { } r && r.Start <= start && r.End >= end;

    /// <summary>Empties the set.</summary>
    public void Clear() => runs.Clear();

    private int FirstEndingAfter(ulong block)
    {
        int lo = 0, hi = runs.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (runs[mid].End > block)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
