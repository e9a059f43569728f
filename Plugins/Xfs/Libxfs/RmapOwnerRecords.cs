namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// The rmapbt records of one owner, the index xfs_rmap_map's merge and xfs_rmap_unmap's split look
/// records up by (the kernel finds them by key in the btree; the model keeps both orders). The
/// owner is the dictionary's key, so each record is kept without it, in 16 bytes, in an array that
/// grows by half: an owner of ten records costs some 230 bytes rather than a List of 16 full ones.
/// </summary>
internal sealed class RmapOwnerRecords
{
    private Entry[] entries = new Entry[2];

    /// <summary>How many records the owner has.</summary>
    public int Count { get; private set; }

    public void Add(RmapRec rec)
    {
        if (Count == entries.Length)
        {
            Array.Resize(ref entries, entries.Length + (entries.Length / 2));
        }

        entries[Count++] = new Entry(rec.StartBlock, rec.BlockCount, rec.Offset, rec.Flags);
    }

    public void Remove(RmapRec rec)
    {
        var wanted = new Entry(rec.StartBlock, rec.BlockCount, rec.Offset, rec.Flags);
        var at = Array.IndexOf(entries, wanted, 0, Count);
        if (at < 0)
        {
            return;
        }

        Array.Copy(entries, at + 1, entries, at, Count - at - 1);
        entries[--Count] = default;
    }

    /// <summary>The first record (in insertion order) that matches, or null.</summary>
    public RmapRec? Find(ulong owner, Func<RmapRec, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        for (var i = 0; i < Count; i++)
        {
            var rec = entries[i].ToRec(owner);
            if (match(rec))
            {
                return rec;
            }
        }

        return null;
    }

    /// <summary>The records, in insertion order.</summary>
    public List<RmapRec> ToList(ulong owner)
    {
        var list = new List<RmapRec>(Count);
        for (var i = 0; i < Count; i++)
        {
            list.Add(entries[i].ToRec(owner));
        }

        return list;
    }

    /// <summary>A record without its owner: start, length, and the offset with the flags packed in the top byte.</summary>
    private readonly record struct Entry(uint StartBlock, uint BlockCount, ulong OffsetAndFlags)
    {
        public Entry(uint startBlock, uint blockCount, ulong offset, Abstractions.Fs.RmapRecordFlags flags)
            : this(startBlock, blockCount, offset | ((ulong)flags << 56))
        {
        }

        public RmapRec ToRec(ulong owner) =>
            new(StartBlock, BlockCount, owner, OffsetAndFlags & ((1UL << 56) - 1), (Abstractions.Fs.RmapRecordFlags)(OffsetAndFlags >> 56));
    }
}
