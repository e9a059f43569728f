namespace DaxHolder.Scenarios.Running;

/// <summary>
/// The pfns one named mapping saw, by page offset in the mapping, as runs (a PMD fault is one run
/// of 512 pages), so a large touch costs a few entries. Kept when the mapping's task exits or
/// its file is deleted, for <c>pfn-of: { map, offset }</c> targets.
/// </summary>
internal sealed class SeenPfns
{
    private readonly SortedDictionary<ulong, (ulong Count, ulong Pfn)> runs = [];
    private ulong lastStart = ulong.MaxValue;

    /// <summary>Page <paramref name="page"/> of the mapping was backed by <paramref name="pfn"/>.</summary>
    public void Record(ulong page, ulong pfn)
    {
        if (lastStart != ulong.MaxValue && runs[lastStart] is var (count, first) && lastStart + count == page && first + count == pfn)
        {
            runs[lastStart] = (count + 1, first);
            return;
        }

        if (Find(page) == pfn)
        {
            return;
        }

        // Cut the page out of any run holding it, then add it as a run of its own.
        if (Containing(page) is { } start)
        {
            var (c, p) = runs[start];
            runs.Remove(start);
            if (page > start)
            {
                runs[start] = (page - start, p);
            }

            if (start + c > page + 1)
            {
                runs[page + 1] = (start + c - page - 1, p + (page + 1 - start));
            }
        }

        runs[page] = (1, pfn);
        lastStart = page;
    }

    /// <summary>The pfn page <paramref name="page"/> was last seen backed by, or null if it never was.</summary>
    public ulong? Find(ulong page) => Containing(page) is { } start ? runs[start].Pfn + (page - start) : null;

    private ulong? Containing(ulong page)
    {
        if (lastStart != ulong.MaxValue && page >= lastStart && page < lastStart + runs[lastStart].Count)
        {
            return lastStart;
        }

        ulong? best = null;
        foreach (var start in runs.Keys)
        {
            if (start > page)
            {
                break;
            }

            best = start;
        }

        return best is { } s && page < s + runs[s].Count ? s : null;
    }
}
