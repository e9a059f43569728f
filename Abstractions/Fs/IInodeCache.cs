using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Abstractions.Fs;

/// <summary>An in-core inode: the VFS-visible part (struct inode).</summary>
public interface IInode
{
    /// <summary>i_ino.</summary>
    InodeNumber Number { get; }

    /// <summary>i_size.</summary>
    ByteLength Size { get; }

    /// <summary>i_mapping, whose IsDax is S_DAX.</summary>
    IAddressSpace Mapping { get; }

    /// <summary>i_count: references held by open files and mappings (through <see cref="IInodeCache.Iget"/>).</summary>
    int ReferenceCount { get; }
}

/// <summary>
/// The filesystem's inode cache. notify_failure skips inodes that are not in core
/// (fs/xfs/xfs_notify_failure.c: xfs_dax_failure_fn()); dropping caches or cycling the mount evicts
/// the unreferenced ones.
/// </summary>
public interface IInodeCache
{
    /// <summary>iget: bring the inode into core if needed and take a reference (open, mmap).</summary>
    ErrnoOr<IInode> Iget(InodeNumber inode);

    /// <summary>iput: drop a reference taken by <see cref="Iget"/>. The inode stays in core until pruned.</summary>
    void Iput(IInode inode);

    /// <summary>xfs_iget(XFS_IGET_INCORE): the inode if it is in core, else null (-ENODATA); takes no reference.</summary>
    IInode? FindInCore(InodeNumber inode);

    /// <summary>The in-core inodes, by inode number.</summary>
    IReadOnlyList<IInode> InCore { get; }

    /// <summary>
    /// drop_caches (2) / prune_icache_sb: evict every unreferenced in-core inode, each with
    /// <see cref="IKernelServices.TruncateInodePagesFinal"/>. Returns how many were evicted.
    /// </summary>
    int PruneUnreferenced();
}
