namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// One AG's free space: the records of the by-block-number btree (bnobt), each a maximal free
/// extent. The by-size btree (cntbt) holds the same records in another order, so the model keeps
/// one set; its blocks are only the two roots mkfs made (see AllocationGroup).
/// </summary>
internal sealed class FreeSpaceBtree
{
    private readonly SortedDictionary<uint, uint> extents = [];

    /// <summary>The free extents in block order.</summary>
    public IEnumerable<(uint Start, uint Length)> Extents => extents.Select(e => (e.Key, e.Value));

    /// <summary>agf_freeblks.</summary>
    public ulong FreeBlocks => extents.Values.Aggregate(0UL, (sum, len) => sum + len);

    /// <summary>Whether every block of [start, start+length) is free.</summary>
    public bool IsFree(uint start, uint length) =>
        Containing(start) is { } e && e.Start + e.Length >= (ulong)start + length;

    /// <summary>xfs_free_ag_extent: the blocks become free, merged with free neighbours.</summary>
    /// <exception cref="InvalidOperationException">Some block is already free (a double free).</exception>
    public void Free(uint start, uint length)
    {
        if (length == 0)
        {
            return;
        }

        foreach (var (s, l) in extents)
        {
            if (s < start + length && start < s + l)
            {
                throw new InvalidOperationException($"xfs: freeing [{start}, +{length}) which overlaps free extent [{s}, +{l})");
            }
        }

        var newStart = start;
        var newLength = length;
        var left = extents.LastOrDefault(e => e.Key < start);
        if (left.Value != 0 && left.Key + left.Value == start)
        {
            extents.Remove(left.Key);
            newStart = left.Key;
            newLength += left.Value;
        }

        if (extents.TryGetValue(start + length, out var right))
        {
            extents.Remove(start + length);
            newLength += right;
        }

        extents[newStart] = newLength;
    }

    /// <summary>xfs_alloc_fixup_trees: [start, start+length) leaves the free space (it must be free).</summary>
    /// <exception cref="InvalidOperationException">Some block is not free.</exception>
    public void Take(uint start, uint length)
    {
        var e = Containing(start);
        if (e is not { } free || free.Start + free.Length < (ulong)start + length)
        {
            throw new InvalidOperationException($"xfs: allocating [{start}, +{length}) which is not free");
        }

        extents.Remove(free.Start);
        if (start > free.Start)
        {
            extents[free.Start] = start - free.Start;
        }

        var end = start + length;
        if (end < free.Start + free.Length)
        {
            extents[end] = free.Start + free.Length - end;
        }
    }

    private (uint Start, uint Length)? Containing(uint block)
    {
        foreach (var (s, l) in extents)
        {
            if (s > block)
            {
                break;
            }

            if (block < s + l)
            {
                return (s, l);
            }
        }

        return null;
    }
}
