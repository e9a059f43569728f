namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// One AG's reference-count btree (libxfs/xfs_refcount.c), shared domain: a record for every
/// extent whose blocks are owned more than once, merged with neighbours of equal count. A block
/// in use without a record has count 1. CoW staging extents (the COW domain) are not kept here;
/// their owner is visible in the rmapbt.
/// </summary>
internal sealed class RefcountBtree
{
    private readonly SortedDictionary<uint, (uint Length, uint Refcount)> records = [];

    /// <summary>The records in block order.</summary>
    public IEnumerable<(uint Start, uint Length, uint Refcount)> Records => records.Select(r => (r.Key, r.Value.Length, r.Value.Refcount));

    /// <summary>The reference count of an in-use block (1 when there is no record).</summary>
    public uint Refcount(uint agbno)
    {
        foreach (var (s, (len, count)) in records)
        {
            if (s > agbno)
            {
                break;
            }

            if (agbno < s + len)
            {
                return count;
            }
        }

        return 1;
    }

    /// <summary>
    /// The longest run from <paramref name="agbno"/> (at most <paramref name="length"/> blocks)
    /// whose blocks are all shared, or all not shared: xfs_refcount_find_shared's answer.
    /// </summary>
    public (uint Length, bool Shared) Run(uint agbno, uint length)
    {
        var end = agbno + length;
        var shared = Refcount(agbno) > 1;
        var pos = agbno;
        while (pos < end)
        {
            var rec = records.LastOrDefault(r => r.Key <= pos && pos < r.Key + r.Value.Length);
            var inRecord = rec.Value.Length != 0;
            if (inRecord != shared)
            {
                break;
            }

            var stop = inRecord ? rec.Key + rec.Value.Length : records.Keys.FirstOrDefault(k => k > pos, uint.MaxValue);
            pos = Math.Min(end, stop);
        }

        return (pos - agbno, shared);
    }

    /// <summary>
    /// xfs_refcount_adjust(+1 / -1) over [start, start+length). Blocks whose count drops to 0 are
    /// returned (in block order, merged): the caller frees them, as xfs_refcount_decrease_extent
    /// hands them to xfs_free_extent_later.
    /// </summary>
    public IReadOnlyList<(uint Start, uint Length)> Adjust(uint start, uint length, int delta)
    {
        var freed = new List<(uint Start, uint Length)>();
        if (length == 0)
        {
            return freed;
        }

        var end = start + length;
        SplitAt(start);
        SplitAt(end);
        var pos = start;
        while (pos < end)
        {
            if (records.TryGetValue(pos, out var rec))
            {
                records.Remove(pos);
                var count = (uint)(rec.Refcount + delta);
                if (count > 1)
                {
                    records[pos] = (rec.Length, count);
                }

                pos += rec.Length;
                continue;
            }

            var gapEnd = Math.Min(end, records.Keys.FirstOrDefault(k => k > pos, end));
            if (delta < 0)
            {
                if (freed.Count > 0 && freed[^1].Start + freed[^1].Length == pos)
                {
                    freed[^1] = (freed[^1].Start, freed[^1].Length + (gapEnd - pos));
                }
                else
                {
                    freed.Add((pos, gapEnd - pos));
                }
            }
            else
            {
                records[pos] = (gapEnd - pos, (uint)(1 + delta));
            }

            pos = gapEnd;
        }

        MergeAll();
        return freed;
    }

    private void SplitAt(uint point)
    {
        foreach (var (s, (len, count)) in records)
        {
            if (s < point && point < s + len)
            {
                records[s] = (point - s, count);
                records[point] = (s + len - point, count);
                return;
            }
        }
    }

    private void MergeAll()
    {
        var list = records.ToList();
        records.Clear();
        foreach (var (s, (len, count)) in list)
        {
            var last = records.LastOrDefault();
            if (last.Value.Length != 0 && last.Key + last.Value.Length == s && last.Value.Refcount == count)
            {
                records[last.Key] = (last.Value.Length + len, count);
            }
            else
            {
                records[s] = (len, count);
            }
        }
    }
}
