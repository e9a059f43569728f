namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// One allocation group (libxfs/xfs_ag.c, struct xfs_perag and its headers): its fixed header
/// blocks, the btree roots mkfs made, the AGFL's blocks, and the btrees' records. With 4 KiB
/// sectors the four headers take one block each: superblock 0, AGF 1, AGI 2, AGFL 3.
/// </summary>
internal sealed class AllocationGroup(uint agno, uint length, int agBlkLog)
{
    /// <summary>The superblock (a secondary one in every AG but 0).</summary>
    public const uint SbBlock = 0;

    /// <summary>XFS_AGF_BLOCK.</summary>
    public const uint AgfBlock = 1;

    /// <summary>XFS_AGI_BLOCK.</summary>
    public const uint AgiBlock = 2;

    /// <summary>XFS_AGFL_BLOCK.</summary>
    public const uint AgflBlock = 3;

    /// <summary>XFS_BNO_BLOCK: the bnobt root.</summary>
    public const uint BnoRoot = 4;

    /// <summary>XFS_CNT_BLOCK: the cntbt root.</summary>
    public const uint CntRoot = 5;

    /// <summary>XFS_IBT_BLOCK: the inobt root.</summary>
    public const uint InoRoot = 6;

    /// <summary>XFS_FIBT_BLOCK: the finobt root.</summary>
    public const uint FinoRoot = 7;

    /// <summary>agf_seqno / agi_seqno.</summary>
    public uint Agno { get; } = agno;

    /// <summary>agf_length.</summary>
    public uint Length { get; } = length;

    /// <summary>XFS_RMAP_BLOCK, when the filesystem has an rmapbt.</summary>
    public uint? RmapRoot { get; set; }

    /// <summary>xfs_refc_block, when the filesystem has reflink.</summary>
    public uint? RefcRoot { get; set; }

    /// <summary>The blocks mkfs put on the AG free list (owned by OWN_AG).</summary>
    public (uint Start, uint Count) FreeList { get; set; }

    /// <summary>The internal log, when this is the log's AG.</summary>
    public (uint Start, uint Count)? Log { get; set; }

    /// <summary>The bnobt (and, in another order, the cntbt).</summary>
    public FreeSpaceBtree FreeSpace { get; } = new();

    /// <summary>
    /// The rmapbt. The model keeps the index even when the filesystem was made with rmapbt=0, to
    /// explain ownership (IReverseMap); the kernel paths ask <c>HasRmapbt</c> first, and such a
    /// filesystem has no rmapbt root block.
    /// </summary>
    public RmapBtree Rmap { get; } = new();

    /// <summary>The refcountbt (shared domain).</summary>
    public RefcountBtree Refcount { get; } = new();

    /// <summary>The inobt.</summary>
    public InodeBtree Inobt { get; } = new();

    /// <summary>Freed extents not yet safe to reuse (xfs_extent_busy), kept in memory only: a mount starts with none.</summary>
    public ExtentBusy Busy { get; } = new();

    /// <summary>The free extents the allocator may hand out now: the free space with the busy extents trimmed out (xfs_extent_busy_trim()).</summary>
    public IEnumerable<(uint Start, uint Length)> Allocatable =>
        Busy.Any ? FreeSpace.Extents.SelectMany(e => Busy.Trim(e.Start, e.Length)) : FreeSpace.Extents;

    /// <summary>sb_agblklog, for callers that build fsbnos.</summary>
    public int AgBlkLog { get; } = agBlkLog;

    /// <summary>xfs_alloc_fixup_trees plus xfs_rmap_alloc: take free blocks for an owner.</summary>
    public void Allocate(uint start, uint count, ulong owner, ulong offset = 0, Abstractions.Fs.RmapRecordFlags flags = 0)
    {
        FreeSpace.Take(start, count);
        Rmap.Map(start, count, owner, offset, flags);
    }

    /// <summary>xfs_rmap_free plus xfs_free_ag_extent: an owner gives blocks back; they stay busy until the log checkpoint.</summary>
    public void Release(uint start, uint count, ulong owner, ulong offset = 0, Abstractions.Fs.RmapRecordFlags flags = 0)
    {
        Rmap.Unmap(start, count, owner, offset, flags);
        FreeExtent(start, count);
    }

    /// <summary>xfs_free_ag_extent then xfs_extent_busy_insert(): free, and busy until the log checkpoint.</summary>
    public void FreeExtent(uint start, uint count)
    {
        FreeSpace.Free(start, count);
        Busy.Insert(start, count);
    }
}
