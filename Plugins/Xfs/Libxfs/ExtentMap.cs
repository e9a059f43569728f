namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>libxfs/xfs_bmap.h: struct xfs_bmbt_irec, one extent of a fork.</summary>
/// <param name="StartOff">br_startoff: the first file block.</param>
/// <param name="StartBlock">br_startblock: the first fsbno.</param>
/// <param name="BlockCount">br_blockcount.</param>
/// <param name="Unwritten">br_state == XFS_EXT_UNWRITTEN.</param>
internal readonly record struct BmapExtent(ulong StartOff, ulong StartBlock, ulong BlockCount, bool Unwritten)
{
    /// <summary>The first file block past the extent.</summary>
    public ulong EndOff => StartOff + BlockCount;

    /// <summary>The part of this extent covering file blocks [from, to).</summary>
    public BmapExtent Slice(ulong from, ulong to)
    {
        var s = Math.Max(from, StartOff);
        var e = Math.Min(to, EndOff);
        return new BmapExtent(s, StartBlock + (s - StartOff), e - s, Unwritten);
    }

    public override string ToString() => $"[{StartOff}, +{BlockCount}) -> fsb {StartBlock}{(Unwritten ? " unwritten" : "")}";
}

/// <summary>
/// A fork's extent list (the data fork or the CoW fork), in file order and always merged as
/// xfs_bmap_add_extent_hole_real and friends merge: neighbours contiguous in the file and on disk
/// and in the same state are one extent. Extents never span two AGs, so every extent is one
/// rmapbt record.
/// </summary>
/// <param name="agBlkLog">sb_agblklog, to keep extents of adjacent AGs apart.</param>
internal sealed class ExtentMap(int agBlkLog)
{
    private readonly List<BmapExtent> extents = [];

    /// <summary>The extents in file order.</summary>
    public IReadOnlyList<BmapExtent> Extents => extents;

    /// <summary>The extent holding file block <paramref name="off"/>, or null for a hole.</summary>
    public BmapExtent? Find(ulong off)
    {
        var i = IndexAtOrAfter(off);
        return i < extents.Count && extents[i].StartOff <= off ? extents[i] : null;
    }

    /// <summary>The first file block at or after <paramref name="off"/> that is mapped, or null.</summary>
    public ulong? NextMapped(ulong off)
    {
        var i = IndexAtOrAfter(off);
        return i < extents.Count ? Math.Max(off, extents[i].StartOff) : null;
    }

    /// <summary>The pieces of extents inside file blocks [from, to).</summary>
    /// <remarks>The first is found by bisection (the extents do not overlap, so their ends ascend as their starts do).</remarks>
    public IReadOnlyList<BmapExtent> Within(ulong from, ulong to)
    {
        var (first, end) = Overlapping(from, to);
        if (first == end)
        {
            return [];
        }

        var pieces = new BmapExtent[end - first];
        for (var i = first; i < end; i++)
        {
            pieces[i - first] = extents[i].Slice(from, to);
        }

        return pieces;
    }

    /// <summary>Inserts an extent over a hole, merging with its neighbours.</summary>
    /// <exception cref="InvalidOperationException">Part of the range is already mapped.</exception>
    public void Insert(BmapExtent extent)
    {
        if (extent.BlockCount == 0)
        {
            return;
        }

        if (Within(extent.StartOff, extent.EndOff).Count > 0)
        {
            throw new InvalidOperationException($"xfs: mapping {extent} over blocks already mapped");
        }

        var i = IndexAtOrAfter(extent.StartOff);
        if (i > 0 && Contiguous(extents[i - 1], extent))
        {
            extent = extents[i - 1] with { BlockCount = extents[i - 1].BlockCount + extent.BlockCount };
            extents.RemoveAt(--i);
        }

        if (i < extents.Count && Contiguous(extent, extents[i]))
        {
            extent = extent with { BlockCount = extent.BlockCount + extents[i].BlockCount };
            extents.RemoveAt(i);
        }

        extents.Insert(i, extent);
    }

    /// <summary>Removes file blocks [from, to) and returns the pieces that were mapped there.</summary>
    public IReadOnlyList<BmapExtent> Remove(ulong from, ulong to)
    {
        var removed = Within(from, to);
        if (removed.Count == 0)
        {
            return removed;
        }

        // Only the first and the last overlapping extent can stick out of the range.
        var (first, end) = Overlapping(from, to);
        var head = extents[first];
        var tail = extents[end - 1];
        extents.RemoveRange(first, end - first);
        if (to < tail.EndOff)
        {
            extents.Insert(first, tail.Slice(to, tail.EndOff));
        }

        if (head.StartOff < from)
        {
            extents.Insert(first, head.Slice(head.StartOff, from));
        }

        return removed;
    }

    private bool Contiguous(BmapExtent left, BmapExtent right) =>
        left.EndOff == right.StartOff && left.StartBlock + left.BlockCount == right.StartBlock && left.Unwritten == right.Unwritten
        && left.StartBlock >> agBlkLog == right.StartBlock >> agBlkLog;

    /// <summary>The extents overlapping file blocks [from, to): indexes first up to, not including, end.</summary>
    private (int First, int End) Overlapping(ulong from, ulong to)
    {
        var first = IndexAtOrAfter(from);
        var end = first;
        while (end < extents.Count && extents[end].StartOff < to)
        {
            end++;
        }

        return (first, from < to ? end : first);
    }

    /// <summary>The index of the first extent that ends after <paramref name="off"/>.</summary>
    private int IndexAtOrAfter(ulong off)
    {
        int lo = 0, hi = extents.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (extents[mid].EndOff <= off)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
