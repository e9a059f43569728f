namespace DaxHolder.Abstractions.Fs;

/// <summary>What owns a piece of the device: a file's data, or a kind of metadata.</summary>
/// <param name="Inode">The owning inode, or null for metadata.</param>
/// <param name="Metadata">The metadata kind in the filesystem's own words (XFS: "fs", "log", "ag", "inobt", "inodes", "refc", "cow"), or null for an inode.</param>
public readonly record struct RmapOwner(InodeNumber? Inode, string? Metadata)
{
    /// <summary>File data (or, with flags, attr fork or bmbt blocks) of an inode.</summary>
    public static RmapOwner OfInode(InodeNumber inode) => new(inode, null);

    /// <summary>A non-inode owner (XFS_RMAP_NON_INODE_OWNER and its kin).</summary>
    public static RmapOwner OfMetadata(string kind) => new(null, kind);

    /// <summary>Whether this is metadata rather than an inode.</summary>
    public bool IsMetadata => Inode is null;

    /// <summary>"inode 131" or "metadata refc".</summary>
    public override string ToString() => Inode is { } ino ? $"inode {ino}" : $"metadata {Metadata}";
}

/// <summary>xfs_rmap_irec's flags (in-core values: XFS_RMAP_ATTR_FORK, BMBT_BLOCK, UNWRITTEN; fs/xfs/libxfs/xfs_rmap.h).</summary>
[Flags]
public enum RmapRecordFlags
{
    /// <summary>Plain data-fork data.</summary>
    None = 0,

    /// <summary>XFS_RMAP_ATTR_FORK: extended-attribute blocks.</summary>
    AttrFork = 1 << 0,

    /// <summary>XFS_RMAP_BMBT_BLOCK: a block of the file's extent btree.</summary>
    BmbtBlock = 1 << 1,

    /// <summary>XFS_RMAP_UNWRITTEN: an unwritten extent (still file data to notify_failure).</summary>
    Unwritten = 1 << 2,
}

/// <summary>One reverse-map record: an extent of the device, its owner and, for file data, the file offset it holds.</summary>
/// <param name="Extent">Where on the disk the record lies (absolute, including a partition's start).</param>
/// <param name="Owner">Who owns it.</param>
/// <param name="FileOffset">For inode owners, the file offset of the extent's first byte; else null.</param>
/// <param name="Flags">Record flags.</param>
public sealed record RmapRecord(DeviceExtent Extent, RmapOwner Owner, FileOffset? FileOffset, RmapRecordFlags Flags);

/// <summary>
/// The filesystem's reverse map, derived from its own on-media state (XFS's rmapbt; ext4 and EROFS
/// derive theirs). Used by notify_failure, by explain, and to resolve a scenario's metadata targets.
/// </summary>
public interface IReverseMap
{
    /// <summary>
    /// Every record overlapping <paramref name="range"/>, in the order the filesystem walks them
    /// (XFS: AG by AG, startblock order, as xfs_rmap_query_range). Free space has no record.
    /// </summary>
    IReadOnlyList<RmapRecord> Query(DeviceExtent range);

    /// <summary>
    /// Where a named piece of metadata lives, e.g. "agf 1" for XFS; -ENOENT with a message listing
    /// the names the filesystem understands if it does not know the name.
    /// </summary>
    ErrnoOr<DeviceExtent> LocateMetadata(string name);
}

/// <summary>
/// What a filesystem's notify_failure did with one reverse-map record it visited, as it tells the
/// kernel through <see cref="Kernel.IKernelServices.TraceRmapRecord"/> (fs/xfs/xfs_notify_failure.c:
/// xfs_dax_failure_fn() takes one of these paths per record).
/// </summary>
public enum RmapVisit
{
    /// <summary>A file owner in core with a DAX mapping: its pages went to mf_dax_kill_procs().</summary>
    Notified,

    /// <summary>Metadata (a non-inode owner, an attr-fork or bmbt block): the filesystem's own damage.</summary>
    Metadata,

    /// <summary>A file owner not in core (xfs_iget(XFS_IGET_INCORE) gave -ENODATA): skipped, nobody maps it.</summary>
    NotInCore,

    /// <summary>A file owner in core whose mapping is not DAX (its data is in the page cache): skipped.</summary>
    NotDax,
}
