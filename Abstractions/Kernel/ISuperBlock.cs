namespace DaxHolder.Abstractions.Kernel;

/// <summary>include/linux/fs.h: enum freeze_holder (6.6+); who holds a freeze.</summary>
public enum FreezeHolder
{
    /// <summary>FREEZE_HOLDER_KERNEL: the kernel froze it (XFS pre-remove, fs/xfs/xfs_notify_failure.c: xfs_dax_notify_ddev_failure()).</summary>
    Kernel = 1,

    /// <summary>FREEZE_HOLDER_USERSPACE: FIFREEZE from user space.</summary>
    Userspace = 2,
}

/// <summary>
/// The VFS superblock of a mounted filesystem, owned by the host: the state the rest of the kernel
/// can see. The host creates it before mount and passes it in; SB_BORN is set by the host only
/// after mount returns successfully, as fs/super.c: vfs_get_tree() does once fill_super returned.
/// </summary>
public interface ISuperBlock
{
    /// <summary>s_id: the device name the filesystem prints, e.g. "pmem0".</summary>
    string Id { get; }

    /// <summary>The filesystem type name, e.g. "xfs".</summary>
    string FileSystemType { get; }

    /// <summary>SB_BORN: set once the mount has completed.</summary>
    bool IsBorn { get; }

    /// <summary>Whether freeze_super holds it frozen, by any holder.</summary>
    bool IsFrozen { get; }

    /// <summary>Whether the filesystem has shut itself down (<see cref="ForceShutdown"/>).</summary>
    bool IsShutdown { get; }

    /// <summary>fs/super.c: freeze_super(sb, who). -EBUSY if that holder already froze it (XFS pre-remove then logs "already frozen by kernel").</summary>
    Errno FreezeSuper(FreezeHolder holder);

    /// <summary>fs/super.c: thaw_super(sb, who). -EINVAL if that holder does not hold a freeze.</summary>
    Errno ThawSuper(FreezeHolder holder);

    /// <summary>
    /// The filesystem shut itself down (fs/xfs/xfs_fsops.c: xfs_do_force_shutdown() and the like).
    /// The host records the reason as a filesystem state change and fails every later file
    /// operation and fault on this superblock with -EIO. The filesystem prints its own log lines;
    /// only the first shutdown counts, as in the kernel.
    /// </summary>
    void ForceShutdown(string reason);
}
