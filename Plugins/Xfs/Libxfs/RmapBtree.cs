using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>libxfs/xfs_rmap.h: struct xfs_rmap_irec, one reverse-mapping record of an AG.</summary>
/// <param name="StartBlock">rm_startblock (agbno).</param>
/// <param name="BlockCount">rm_blockcount.</param>
/// <param name="Owner">rm_owner: an inode number or an XFS_RMAP_OWN_* value.</param>
/// <param name="Offset">rm_offset: the file block the extent holds (0 for metadata and bmbt blocks).</param>
/// <param name="Flags">rm_flags: ATTR_FORK, BMBT_BLOCK, UNWRITTEN.</param>
internal readonly record struct RmapRec(uint StartBlock, uint BlockCount, ulong Owner, ulong Offset, RmapRecordFlags Flags)
{
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
    private static readonly Comparer<RmapRec> KeyOrder = Comparer<RmapRec>.Create((a, b) =>
    {
        var c = a.StartBlock.CompareTo(b.StartBlock);
        if (c == 0) c = a.Owner.CompareTo(b.Owner);
        if (c == 0) c = a.Offset.CompareTo(b.Offset);
        if (c == 0) c = ((int)a.Flags).CompareTo((int)b.Flags);
        if (c == 0) c = a.BlockCount.CompareTo(b.BlockCount);
        return c;
    });

    private readonly SortedSet<RmapRec> records = new(KeyOrder);
    private readonly Dictionary<ulong, List<RmapRec>> byOwner = [];

    /// <summary>Records at most this long are found through the key window alone.</summary>
    private const uint Short = 64;

    /// <summary>The records longer than <see cref="Short"/> (metadata such as the log, big extents), also kept apart.</summary>
    private readonly SortedSet<RmapRec> longRecords = new(KeyOrder);

    /// <summary>The longest record ever added: no record starting more than this before a block can reach it.</summary>
    private uint longest;

    /// <summary>Every record in key order.</summary>
    public IReadOnlyCollection<RmapRec> Records => records;

    /// <summary>
    /// xfs_rmap_query_range(low, high): every record overlapping the blocks [low, high] (an
    /// inclusive end), in key order.
    /// </summary>
    /// <remarks>
    /// The kernel's overlapped-btree query descends by the low and high keys. Here a record of at
    /// most <see cref="Short"/> blocks that overlaps starts in [low - Short + 1, high], a window
    /// of the sorted set found in O(log n); a longer one that starts before that window is found
    /// among the long records, in their own window [low - longest + 1, low - Short]. Those come
    /// first in key order, so the answer is in key order, at O(log n + records in the windows).
    /// </remarks>
    public IEnumerable<RmapRec> QueryRange(uint low, uint high)
    {
        if (records.Count == 0 || low > high)
        {
            yield break;
        }

        var from = low >= Short ? low - Short + 1 : 0u;
        if (from > 0 && longRecords.Count > 0)
        {
            foreach (var r in longRecords.GetViewBetween(Key(longest > low ? 0u : low - longest + 1, first: true), Key(from - 1, first: false)))
            {
                if (r.End > low)
                {
                    yield return r;
                }
            }
        }

        foreach (var r in records.GetViewBetween(Key(from, first: true), Key(high, first: false)))
        {
            if (r.End > low)
            {
                yield return r;
            }
        }
    }

    /// <summary>The smallest (or largest) key a record starting at <paramref name="block"/> can have.</summary>
    private static RmapRec Key(uint block, bool first) => first
        ? new RmapRec(block, 0, 0, 0, RmapRecordFlags.None)
        : new RmapRec(block, uint.MaxValue, ulong.MaxValue, ulong.MaxValue, (RmapRecordFlags)int.MaxValue);

    /// <summary>The records of one owner.</summary>
    public IReadOnlyList<RmapRec> OfOwner(ulong owner) => byOwner.TryGetValue(owner, out var list) ? list : [];

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
        var mine = byOwner.TryGetValue(owner, out var list) ? list : byOwner[owner] = [];
        var left = mine.FindIndex(r => r.Flags == flags && r.End == start && (rec.IgnoresOffset || r.Offset + r.BlockCount == offset));
        if (left >= 0)
        {
            var l = mine[left];
            Remove(l);
            rec = rec with { StartBlock = l.StartBlock, BlockCount = l.BlockCount + rec.BlockCount, Offset = l.Offset };
        }

        var end = rec.End;
        var right = mine.FindIndex(r => r.Flags == flags && r.StartBlock == end && (rec.IgnoresOffset || rec.Offset + rec.BlockCount == r.Offset));
        if (right >= 0)
        {
            var r = mine[right];
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
        records.Add(rec);
        if (rec.BlockCount > Short)
        {
            longRecords.Add(rec);
            longest = Math.Max(longest, rec.BlockCount);
        }
        (byOwner.TryGetValue(rec.Owner, out var list) ? list : byOwner[rec.Owner] = []).Add(rec);
    }

    private void Remove(RmapRec rec)
    {
        records.Remove(rec);
        longRecords.Remove(rec);
        byOwner[rec.Owner].Remove(rec);
    }
}
