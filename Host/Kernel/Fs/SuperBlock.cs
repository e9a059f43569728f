using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Fs;

/// <summary>
/// include/linux/fs.h: struct super_block, the VFS state a filesystem's notify_failure depends
/// on: SB_BORN (set by fs/super.c: vfs_get_tree() once fill_super returned), the freeze holders
/// (fs/super.c: freeze_super/thaw_super with FREEZE_HOLDER_KERNEL and _USERSPACE, 6.6+), and
/// the filesystem's shutdown, which the filesystem reports through <see cref="ForceShutdown"/>.
/// It also keeps the address_space of every inode the filesystem brought into core.
/// </summary>
internal sealed class SuperBlock : ISuperBlock
{
    private readonly KernelContext kernel;
    private readonly Dictionary<InodeNumber, AddressSpace> mappings = [];
    private FreezeHolder frozenBy;

    internal SuperBlock(KernelContext kernel, string id, string fileSystemType)
    {
        this.kernel = kernel;
        Id = id;
        FileSystemType = fileSystemType;
    }

    /// <summary>s_id: the block device name, as XFS prefixes its log lines.</summary>
    public string Id { get; }

    public string FileSystemType { get; }

    public bool IsBorn { get; private set; }

    public bool IsFrozen => frozenBy != 0;

    public bool IsShutdown { get; private set; }

    /// <summary>The reason the filesystem gave for its shutdown.</summary>
    public string? ShutdownReason { get; private set; }

    /// <summary>The mounted filesystem, once mount returned.</summary>
    public IMountedFileSystem? Mounted { get; private set; }

    /// <summary>The address_space of each in-core inode.</summary>
    public IReadOnlyDictionary<InodeNumber, AddressSpace> Mappings => mappings;

    /// <summary>fs/super.c: mount completed, SB_BORN set.</summary>
    internal void SetBorn(IMountedFileSystem mounted)
    {
        Mounted = mounted;
        IsBorn = true;
    }

    /// <summary>Unmounted: the superblock is no longer live.</summary>
    internal void Kill()
    {
        IsBorn = false;
        Mounted = null;
    }

    /// <summary>
    /// fs/super.c: freeze_super(sb, who). -EBUSY if this holder already froze it (so XFS's
    /// pre-remove logs "already frozen by kernel"); a second holder nests.
    /// </summary>
    public Errno FreezeSuper(FreezeHolder holder)
    {
        if ((frozenBy & holder) != 0)
        {
            return Errno.EBUSY;
        }

        frozenBy |= holder;
        kernel.Trace.Add(new FileSystemChanged(Id, $"frozen ({HolderName(holder)})"));
        return Errno.Ok;
    }

    /// <summary>fs/super.c: thaw_super(sb, who). -EINVAL if this holder had not frozen it.</summary>
    public Errno ThawSuper(FreezeHolder holder)
    {
        if ((frozenBy & holder) == 0)
        {
            return Errno.EINVAL;
        }

        frozenBy &= ~holder;
        kernel.Trace.Add(new FileSystemChanged(Id, $"thawed ({HolderName(holder)})"));
        return Errno.Ok;
    }

    /// <summary>The filesystem shut itself down (it prints its own log lines); only the first counts.</summary>
    public void ForceShutdown(string reason)
    {
        if (IsShutdown)
        {
            return;
        }

        IsShutdown = true;
        ShutdownReason = reason;
        kernel.Trace.Add(new FileSystemChanged(Id, $"shut down: {reason}"));
    }

    internal AddressSpace AddMapping(InodeNumber inode, bool dax)
    {
        var mapping = new AddressSpace(this, inode, dax);
        mappings[inode] = mapping;
        return mapping;
    }

    internal void RemoveMapping(AddressSpace mapping)
    {
        if (mappings.TryGetValue(mapping.Host, out var current) && ReferenceEquals(current, mapping))
        {
            mappings.Remove(mapping.Host);
        }
    }

    private static string HolderName(FreezeHolder holder) => holder == FreezeHolder.Kernel ? "FREEZE_HOLDER_KERNEL" : "FREEZE_HOLDER_USERSPACE";

    public override string ToString() => Id;
}
