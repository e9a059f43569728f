using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// libxfs/xfs_rmap.h: struct xfs_rmap_irec, one reverse-mapping record of an AG: rm_startblock
/// (agbno), rm_blockcount, rm_owner (an inode number or an XFS_RMAP_OWN_* value), rm_offset (the
/// file block the extent holds, 0 for metadata and bmbt blocks) and rm_flags (ATTR_FORK,
/// BMBT_BLOCK, UNWRITTEN). As on disk (xfs_rmap_irec_offset_pack), the offset and the flags share
/// one 64-bit word, so a record is 24 bytes.
/// </summary>
internal readonly record struct RmapRec
{
    /// <summary>The flags' shift in the packed word: a file offset in blocks is below 2^51 (MAX_LFS_FILESIZE), XFS_RMAP_OFF_MASK allows 2^54.</summary>
    private const int FlagShift = 56;
    private const ulong OffsetMask = (1UL << FlagShift) - 1;
    private readonly ulong offsetAndFlags;

    public RmapRec(uint startBlock, uint blockCount, ulong owner, ulong offset, RmapRecordFlags flags)
    {
        StartBlock = startBlock;
        BlockCount = blockCount;
        Owner = owner;
        offsetAndFlags = (offset & OffsetMask) | ((ulong)flags << FlagShift);
    }

    /// <summary>rm_startblock (agbno).</summary>
    public uint StartBlock { get; init; }

    /// <summary>rm_blockcount.</summary>
    public uint BlockCount { get; init; }

    /// <summary>rm_owner.</summary>
    public ulong Owner { get; init; }

    /// <summary>rm_offset.</summary>
    public ulong Offset
    {
        get => offsetAndFlags & OffsetMask;
        init => offsetAndFlags = (offsetAndFlags & ~OffsetMask) | (value & OffsetMask);
    }

    /// <summary>rm_flags.</summary>
    public RmapRecordFlags Flags => (RmapRecordFlags)(offsetAndFlags >> FlagShift);

    /// <summary>The first block past the record.</summary>
    public uint End => StartBlock + BlockCount;

    /// <summary>xfs_rmap_map's ignore_off: metadata and bmbt blocks merge regardless of offset.</summary>
    public bool IgnoresOffset => XfsRmapOwner.IsNonInode(Owner) || (Flags & RmapRecordFlags.BmbtBlock) != 0;

    public override string ToString() =>
        $"[{StartBlock}, +{BlockCount}) {(XfsRmapOwner.IsNonInode(Owner) ? XfsRmapOwner.Name(Owner) : "ino " + Owner)}" +
        (IgnoresOffset ? "" : $" @{Offset}") + (Flags == RmapRecordFlags.None ? "" : $" {Flags}");
}

/// <summary>
/// One AG's reverse-mapping btree (libxfs/xfs_rmap.c). It is an overlapping btree: with reflink,
/// several owners' records cover the same blocks. Records are kept in key order (startblock,
/// owner, offset) and merged with their neighbours on insertion, as xfs_rmap_map merges, so the
/// records of a file are exactly its data-fork extents.
/// </summary>
internal sealed class RmapBtree
{

    /// <summary>
    /// The records by length class: class c holds the records of (2^(c-1), 2^c] blocks (class 0:
    /// one block), each class in key order. A record is in exactly one class.
    /// </summary>
    // The query's merge buffer, kept between queries (a pre-remove asks for whole AGs).
    private RmapRec[] mergeScratch = [];

    private readonly ChunkedSortedList<RmapRec, KeyOrder>?[] byLength = new ChunkedSortedList<RmapRec, KeyOrder>?[33];
    private readonly Dictionary<ulong, RmapOwnerRecords> byOwner = [];

    /// <summary>How many records the tree holds.</summary>
    public int Count { get; private set; }

    /// <summary>Every record in key order (merged from the length classes; for checks, not hot paths).</summary>
    public IReadOnlyCollection<RmapRec> Records
    {
        get
        {
            var all = new List<RmapRec>(Count);
            foreach (var set in byLength)
            {
                if (set is not null)
                {
                    all.AddRange(set);
                }
            }

            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(all).Sort(default(KeyOrder));
            return all;
        }
    }

    /// <summary>
    /// xfs_rmap_query_range(low, high): every record overlapping the blocks [low, high] (an
    /// inclusive end), in key order.
    /// </summary>
    /// <remarks>
    /// The kernel's overlapped-btree query descends by the low and high keys. Here, in each
    /// length class c, a record that overlaps starts in [low - 2^c + 1, high]: a window of that
    /// class's sorted chunks, found in O(log n) and read without allocating. The classes'
    /// answers are merged in key order, so a query costs O(classes · log n + records in the
    /// windows), not a walk of the AG, however long the longest record (the log) is.
    /// </remarks>
    public IReadOnlyList<RmapRec> QueryRange(uint low, uint high)
    {
        var found = new List<RmapRec>();
        QueryRange(low, high, found);
        return found;
    }

    /// <summary>
    /// <see cref="QueryRange(uint, uint)"/> into <paramref name="found"/> (cleared first), so that
    /// a caller asking once per event can keep one list.
    /// </summary>
    public void QueryRange(uint low, uint high, List<RmapRec> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        found.Clear();
        if (low > high)
        {
            return;
        }

        Span<int> runs = stackalloc int[byLength.Length + 1];
        var classes = 0;
        for (var c = 0; c < byLength.Length; c++)
        {
            if (byLength[c] is not { Count: > 0 } set)
            {
                continue;
            }

            var longest = c >= 32 ? uint.MaxValue : 1u << c;
            var from = low >= longest ? low - longest + 1 : 0u;
            if (set.Min.StartBlock > high || set.Max.StartBlock < from)
            {
                // The class's first and last records show the window is empty: most classes
                // hold a few metadata records far from the range.
                continue;
            }

            var before = found.Count;
            var cursor = set.From(FirstKey(from));
            while (cursor.Next(out var r) && r.StartBlock <= high)
            {
                if (r.End > low)
                {
                    found.Add(r);
                }
            }

            if (found.Count > before)
            {
                runs[classes++] = before;
            }
        }

        runs[classes] = found.Count;
        if (classes > 1)
        {
            MergeRuns(found, runs[..(classes + 1)]);
        }
    }

    /// <summary>
    /// Merges the sorted runs of <paramref name="found"/> (run i from runs[i] up to runs[i + 1])
    /// into one, pairwise, as a btree cursor would have given them in key order.
    /// </summary>
    private void MergeRuns(List<RmapRec> found, Span<int> runs)
    {
        if (mergeScratch.Length < found.Count)
        {
            mergeScratch = new RmapRec[Math.Max(found.Count, mergeScratch.Length * 2)];
        }

        Span<RmapRec> from = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(found);
        Span<RmapRec> to = mergeScratch.AsSpan(0, found.Count);
        var count = runs.Length - 1;
        var inScratch = false;
        while (count > 1)
        {
            var merged = 0;
            for (var i = 0; i < count; i += 2)
            {
                var start = runs[i];
                var middle = runs[i + 1];
                var end = i + 2 <= count ? runs[i + 2] : middle;
                Merge(from[start..middle], from[middle..end], to[start..end]);
                runs[merged++] = start;
            }

            runs[merged] = runs[count];
            count = merged;
            var swap = from;
            from = to;
            to = swap;
            inScratch = !inScratch;
        }

        if (inScratch)
        {
            from.CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(found));
        }
    }

    private static void Merge(ReadOnlySpan<RmapRec> left, ReadOnlySpan<RmapRec> right, Span<RmapRec> into)
    {
        var order = default(KeyOrder);
        int l = 0, r = 0, o = 0;
        while (l < left.Length && r < right.Length)
        {
            into[o++] = order.Compare(right[r], left[l]) < 0 ? right[r++] : left[l++];
        }

        left[l..].CopyTo(into[o..]);
        right[r..].CopyTo(into[(o + left.Length - l)..]);
    }

    /// <summary>Class c holds the records of (2^(c-1), 2^c] blocks.</summary>
    private static int LengthClass(uint blockCount) =>
        blockCount <= 1 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount(blockCount - 1);

    /// <summary>The smallest key a record starting at <paramref name="block"/> can have.</summary>
    private static RmapRec FirstKey(uint block) => new(block, 0, 0, 0, RmapRecordFlags.None);

    /// <summary>The records of one owner.</summary>
    public IReadOnlyList<RmapRec> OfOwner(ulong owner) => byOwner.TryGetValue(owner, out var list) ? list.ToList(owner) : [];

    /// <summary>
    /// xfs_rmap_map / xfs_rmap_map_shared: record that <paramref name="owner"/> owns the blocks,
    /// merging with a record of the same owner and flags that is contiguous on disk and (for file
    /// data) in the file.
    /// </summary>
    public void Map(uint start, uint count, ulong owner, ulong offset, RmapRecordFlags flags)
    {
        if (count == 0)
        {
            return;
        }

        var rec = new RmapRec(start, count, owner, offset, flags);
        var mine = byOwner.GetValueOrDefault(owner);
        if (mine?.Find(owner, r => r.Flags == flags && r.End == start && (rec.IgnoresOffset || r.Offset + r.BlockCount == offset)) is { } l)
        {
            Remove(l);
            rec = rec with { StartBlock = l.StartBlock, BlockCount = l.BlockCount + rec.BlockCount, Offset = l.Offset };
        }

        var end = rec.End;
        var merged = rec;
        if (mine?.Find(owner, r => r.Flags == flags && r.StartBlock == end && (merged.IgnoresOffset || merged.Offset + merged.BlockCount == r.Offset)) is { } r)
        {
            Remove(r);
            rec = rec with { BlockCount = rec.BlockCount + r.BlockCount };
        }

        Add(rec);
    }

    /// <summary>
    /// xfs_rmap_unmap: <paramref name="owner"/> no longer owns [start, start+count), which it held
    /// at file block <paramref name="offset"/> with <paramref name="flags"/>; records are split.
    /// </summary>
    /// <exception cref="InvalidOperationException">The owner does not hold all those blocks there.</exception>
    public void Unmap(uint start, uint count, ulong owner, ulong offset, RmapRecordFlags flags)
    {
        var end = start + count;
        var ignoreOffset = XfsRmapOwner.IsNonInode(owner) || (flags & RmapRecordFlags.BmbtBlock) != 0;
        var covered = 0u;
        foreach (var r in OfOwner(owner).Where(r => r.Flags == flags && r.StartBlock < end && start < r.End).ToList())
        {
            var from = Math.Max(start, r.StartBlock);
            var to = Math.Min(end, r.End);
            if (!ignoreOffset && r.Offset + (from - r.StartBlock) != offset + (from - start))
            {
                continue;
            }

            Remove(r);
            if (r.StartBlock < from)
            {
                Add(r with { BlockCount = from - r.StartBlock });
            }

            if (to < r.End)
            {
                Add(r with { StartBlock = to, BlockCount = r.End - to, Offset = ignoreOffset ? r.Offset : r.Offset + (to - r.StartBlock) });
            }

            covered += to - from;
        }

        if (covered != count)
        {
            throw new InvalidOperationException($"xfs: rmap unmap of [{start}, +{count}) owner {XfsRmapOwner.Name(owner)} @{offset} {flags} found only {covered} blocks");
        }
    }

    private void Add(RmapRec rec)
    {
        var c = LengthClass(rec.BlockCount);
        if ((byLength[c] ??= new ChunkedSortedList<RmapRec, KeyOrder>(default)).Add(rec))
        {
            Count++;
        }

        (byOwner.TryGetValue(rec.Owner, out var list) ? list : byOwner[rec.Owner] = new RmapOwnerRecords()).Add(rec);
    }

    private void Remove(RmapRec rec)
    {
        if (byLength[LengthClass(rec.BlockCount)]?.Remove(rec) == true)
        {
            Count--;
        }

        var mine = byOwner[rec.Owner];
        mine.Remove(rec);
        if (mine.Count == 0)
        {
            byOwner.Remove(rec.Owner);
        }
    }

    /// <summary>The order of the rmapbt's keys (libxfs/xfs_rmap_btree.c: startblock, owner, offset), then the rest of the record (flags, length).</summary>
    private readonly struct KeyOrder : IComparer<RmapRec>
    {
        public int Compare(RmapRec a, RmapRec b)
        {
            var c = a.StartBlock.CompareTo(b.StartBlock);
            if (c == 0) c = a.Owner.CompareTo(b.Owner);
            if (c == 0) c = a.Offset.CompareTo(b.Offset);
            if (c == 0) c = ((int)a.Flags).CompareTo((int)b.Flags);
            if (c == 0) c = a.BlockCount.CompareTo(b.BlockCount);
            return c;
        }
    }
}
