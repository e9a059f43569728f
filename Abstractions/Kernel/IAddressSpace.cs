namespace DaxHolder.Abstractions.Kernel;

/// <summary>
/// include/linux/fs.h: struct address_space, an in-core inode's i_mapping. The host owns it:
/// its DAX entries (fs/dax.c) and its i_mmap tree of VMAs (mm). A filesystem holds one per in-core
/// inode and passes it to the kernel services, e.g. mf_dax_kill_procs.
/// </summary>
public interface IAddressSpace
{
    /// <summary>mapping-&gt;host's inode number.</summary>
    InodeNumber Host { get; }

    /// <summary>dax_mapping(): whether the inode is S_DAX (the 6.7+ check in fs/xfs/xfs_notify_failure.c: xfs_dax_failure_fn()).</summary>
    bool IsDax { get; }
}
