namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// One AG's reference-count btree (libxfs/xfs_refcount.c), shared domain: a record for every
/// extent whose blocks are owned more than once, merged with neighbours of equal count. A block
/// in use without a record has count 1. CoW staging extents (the COW domain) are not kept here;
/// their owner is visible in the rmapbt.
/// </summary>
internal sealed class RefcountBtree
{
    /// <remarks>
    /// A sorted list searched by bisection, as the btree is searched by key: lookups cost
    /// O(log n) (reflinked files are looked up on every DAX fault, through iomap_begin).
    /// </remarks>
    private readonly SortedList<uint, (uint Length, uint Refcount)> records = [];

    /// <summary>The records in block order.</summary>
    public IEnumerable<(uint Start, uint Length, uint Refcount)> Records => records.Select(r => (r.Key, r.Value.Length, r.Value.Refcount));

    /// <summary>The reference count of an in-use block (1 when there is no record).</summary>
    public uint Refcount(uint agbno) => Containing(agbno) is { } i ? records.GetValueAtIndex(i).Refcount : 1;

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
            var at = Containing(pos);
            var inRecord = at is not null;
            if (inRecord != shared)
            {
                break;
            }

            var stop = at is { } i ? records.GetKeyAtIndex(i) + records.GetValueAtIndex(i).Length : NextKeyAfter(pos, uint.MaxValue);
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

            var gapEnd = Math.Min(end, NextKeyAfter(pos, end));
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

        MergeAround(start, end);
        return freed;
    }

    private void SplitAt(uint point)
    {
        if (Containing(point) is { } i && records.GetKeyAtIndex(i) < point)
        {
            var s = records.GetKeyAtIndex(i);
            var (len, count) = records.GetValueAtIndex(i);
            records[s] = (point - s, count);
            records[point] = (s + len - point, count);
        }
    }

    /// <summary>
    /// Merges neighbours of equal count that are contiguous, left to right, over the records from
    /// the one before <paramref name="start"/> to the one after <paramref name="end"/>: records
    /// were merged everywhere before the adjustment, so only these can have become mergeable.
    /// </summary>
    private void MergeAround(uint start, uint end)
    {
        var i = Math.Max(0, Floor(start) - 1);
        var last = Math.Min(records.Count - 1, Floor(end) + 1);
        while (i < last)
        {
            var (s, (len, count)) = (records.GetKeyAtIndex(i), records.GetValueAtIndex(i));
            var (next, (nextLen, nextCount)) = (records.GetKeyAtIndex(i + 1), records.GetValueAtIndex(i + 1));
            if (s + len == next && count == nextCount)
            {
                records.SetValueAtIndex(i, (len + nextLen, count));
                records.RemoveAt(i + 1);
                last--;
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>The index of the record with the greatest start at or before <paramref name="block"/>, or -1.</summary>
    private int Floor(uint block)
    {
        var keys = records.Keys;
        int lo = 0, hi = keys.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (keys[mid] <= block)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>The index of the record holding <paramref name="block"/>, or null.</summary>
    private int? Containing(uint block)
    {
        var i = Floor(block);
        return i >= 0 && block < records.GetKeyAtIndex(i) + records.GetValueAtIndex(i).Length ? i : null;
    }

    /// <summary>The first record start after <paramref name="block"/>, or <paramref name="none"/>.</summary>
    private uint NextKeyAfter(uint block, uint none)
    {
        var i = Floor(block) + 1;
        return i < records.Count ? records.GetKeyAtIndex(i) : none;
    }
}
