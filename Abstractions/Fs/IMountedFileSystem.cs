using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Abstractions.Fs;

/// <summary>
/// A mounted filesystem: the seams the kernel model calls. Holder operations are not a member:
/// a filesystem registers them with <see cref="IKernelServices.FsDaxGetByBdev"/> at mount, as
/// the kernel does, and the dax device routes failures to them.
/// </summary>
public interface IMountedFileSystem
{
    /// <summary>The VFS superblock this mount filled.</summary>
    ISuperBlock SuperBlock { get; }

    /// <summary>The file operations scenarios drive.</summary>
    IFileOperations Files { get; }

    /// <summary>The inode cache: which inodes are in core.</summary>
    IInodeCache Inodes { get; }

    /// <summary>The iomap operations fs/dax.c faults and I/O go through.</summary>
    IIomapOps Iomap { get; }

    /// <summary>The filesystem's reverse map: device range to owners.</summary>
    IReverseMap ReverseMap { get; }

    /// <summary>
    /// Unmount (kill_sb): evict every inode, write back, and put each dax device taken at mount
    /// (fs_put_dax). -EBUSY while inodes are still referenced.
    /// </summary>
    Errno Unmount();

    /// <summary>
    /// super_operations-&gt;shutdown: the block device under the mount is going away
    /// (fs/super.c: fs_bdev_mark_dead(), on kernels with <see cref="Kernel.KernelFeature.FsHolderOpsShutdown"/>).
    /// A filesystem without -&gt;shutdown leaves this out: nothing happens.
    /// </summary>
    void Shutdown()
    {
    }
}
