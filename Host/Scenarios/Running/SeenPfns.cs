namespace DaxHolder.Scenarios.Running;

/// <summary>
/// The pfns one named mapping saw, by page offset in the mapping, as runs (a PMD fault is one run
/// of 512 pages), so a large touch costs a few entries. Kept when the mapping's task exits or
/// its file is deleted, for <c>pfn-of: { map, offset }</c> targets.
/// </summary>
internal sealed class SeenPfns
{
    private readonly SortedDictionary<ulong, (ulong Count, ulong Pfn)> runs = [];
    private ulong? last;

    /// <summary>Pages <paramref name="page"/> to <paramref name="page"/> + <paramref name="count"/> - 1 were backed by <paramref name="pfn"/> onwards.</summary>
    public void Record(ulong page, ulong pfn, ulong count = 1)
    {
        // A touch in order: the last run (the highest) grows.
        if (last is { } l && runs[l] is var (c, p) && l + c == page && p + c == pfn)
        {
            runs[l] = (c + count, p);
            return;
        }

        var end = page + count;
        foreach (var start in runs.Keys.Where(s => s < end).Reverse().ToList())
        {
            var (n, first) = runs[start];
            if (start + n <= page)
            {
                break;
            }

            runs.Remove(start);
            if (start < page)
            {
                runs[start] = (page - start, first);
            }

            if (start + n > end)
            {
                runs[end] = (start + n - end, first + (end - start));
            }
        }

        runs[page] = (count, pfn);
        last = runs.Keys.Max() == page ? page : null;
    }

    /// <summary>The pfn page <paramref name="page"/> was last seen backed by, or null if it never was.</summary>
    public ulong? Find(ulong page)
    {
        foreach (var (start, (count, pfn)) in runs.Reverse())
        {
            if (start <= page)
            {
                return page < start + count ? pfn + (page - start) : null;
            }
        }

        return null;
    }
}
