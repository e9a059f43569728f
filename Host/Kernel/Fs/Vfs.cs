using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Modules;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Fs;

/// <summary>A filesystem mounted on this machine: its superblock, the plugin's mounted object (guarded) and device.</summary>
internal sealed record Mount(SuperBlock SuperBlock, IMountedFileSystem FileSystem, IFileSystemImage Image, BlockDevice Device, ModuleIdentity Module, FsOptions Options)
{
    /// <summary>The plugin's name, as reports give it.</summary>
    public string Plugin => Module.Name;
}

/// <summary>
/// fs/super.c, fs/namei.c and fs/drop_caches.c, as far as scenarios need them: make and mount a
/// filesystem (SB_BORN once mount returned), open a file for mmap (the inode stays referenced
/// while mapped), unmount, and drop unreferenced inodes from core.
/// </summary>
internal sealed class Vfs(KernelContext kernel, Func<GuardScope, KernelServices> servicesFor)
{
    private readonly List<Mount> mounts = [];

    public IReadOnlyList<Mount> Mounts => mounts;

    /// <summary>mkfs on <paramref name="device"/> by the (registered, guarded) filesystem type.</summary>
    public static ErrnoOr<IFileSystemImage> Mkfs(FileSystemTypeEntry type, BlockDevice device, FsOptions options, BlockDevice? logDevice = null, BlockDevice? realtimeDevice = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Type.Mkfs(new MkfsRequest(device, options, logDevice, realtimeDevice));
    }

    /// <summary>
    /// mount(2): the filesystem's fill_super with a fresh superblock named after the device (s_id);
    /// SB_BORN is set only once it returned (fs/super.c: vfs_get_tree()).
    /// </summary>
    public ErrnoOr<Mount> Mount(FileSystemTypeEntry type, IFileSystemImage image, BlockDevice device, FsOptions options)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(device);
        if (device.Deleted)
        {
            // del_gendisk() removed the disk and devtmpfs its node: get_tree_bdev() -> lookup_bdev() finds no path.
            return ErrnoOr<Mount>.Fail(Errno.ENOENT, $"/dev/{device.Name}: the block device was removed (lookup_bdev finds no device node)");
        }

        var superBlock = new SuperBlock(kernel, device.Name, type.Name);
        var mounted = type.Type.Mount(new MountRequest(ModuleGuard.Unwrap(image) as IFileSystemImage ?? image, options, superBlock, servicesFor(type.Scope)));
        if (!mounted.IsOk)
        {
            return ErrnoOr<Mount>.Fail(mounted.Error, mounted.Message);
        }

        superBlock.SetBorn(mounted.Value);
        var mount = new Mount(superBlock, mounted.Value, image, device, type.Scope.Module, options);
        mounts.Add(mount);
        kernel.Trace.Add(new FileSystemChanged(superBlock.Id, $"mounted {type.Name}"));
        return ErrnoOr<Mount>.Ok(mount);
    }

    /// <summary>umount(2): the filesystem's put_super, then the superblock dies.</summary>
    public Errno Unmount(Mount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        if (mount.SuperBlock.Mappings.Values.Any(m => m.IMmap.Count > 0))
        {
            return Errno.EBUSY;
        }

        var result = mount.FileSystem.Unmount();
        mount.SuperBlock.Kill();
        mounts.Remove(mount);
        kernel.Trace.Add(new FileSystemChanged(mount.SuperBlock.Id, "unmounted"));
        return result;
    }

    /// <summary>
    /// block/bdev.c: bdev_mark_dead() from del_gendisk(), then fs/super.c: fs_bdev_mark_dead() for
    /// each filesystem mounted on the disk (6.5+, <see cref="KernelFeature.FsHolderOpsShutdown"/>):
    /// unreferenced inodes are dropped (invalidate_inodes(); 7.x evict_inodes()), while the device's
    /// memory still exists, then the superblock's -&gt;shutdown. Before 6.5 the filesystem is not told.
    /// </summary>
    public void MarkDead(PmemDevice disk)
    {
        ArgumentNullException.ThrowIfNull(disk);
        if (!kernel.Has(KernelFeature.FsHolderOpsShutdown))
        {
            return;
        }

        foreach (var mount in mounts.Where(m => ReferenceEquals(m.Device.Disk, disk)).ToList())
        {
            var evicted = mount.FileSystem.Inodes.PruneUnreferenced();
            kernel.Trace.Add(new TeardownStep("fs_bdev_mark_dead", $"{mount.Device.Name}: invalidate_inodes evicted {evicted} unreferenced inode(s), then {mount.SuperBlock.FileSystemType}'s sb->s_op->shutdown if it has one"));
            mount.FileSystem.Shutdown();
        }
    }

    /// <summary>
    /// The umount that died in an oops inside kill_sb: the mount is already gone from the namespace,
    /// the superblock is left half torn down and is never used again.
    /// </summary>
    public void Detach(Mount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        if (mounts.Remove(mount))
        {
            kernel.Trace.Add(new FileSystemChanged(mount.SuperBlock.Id, "detached: umount died in kill_sb"));
        }
    }

    /// <summary>open(2) of a path for mmap: lookup and iget; the reference is dropped when the last VMA goes.</summary>
    public static ErrnoOr<OpenFile> Open(Mount mount, string path)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var fs = mount.FileSystem;
        var ino = fs.Files.Lookup(path);
        if (!ino.IsOk)
        {
            return ErrnoOr<OpenFile>.Fail(ino.Error, ino.Message ?? $"{path}: lookup failed");
        }

        var inode = fs.Inodes.Iget(ino.Value);
        if (!inode.IsOk)
        {
            return ErrnoOr<OpenFile>.Fail(inode.Error, inode.Message ?? $"{path}: iget failed");
        }

        if (inode.Value.Mapping is not AddressSpace mapping)
        {
            throw new PluginFault(mount.Module, "IInodeCache.Iget", $"inode {ino.Value}", PluginFaultKind.ContractViolation,
                "the inode's Mapping is not the address_space IKernelServices.InitInodeMapping made for it");
        }

        var held = inode.Value;
        var file = new OpenFile(path, mapping, held, fs.Iomap, () => held.Size, () => fs.Inodes.Iput(held)) { References = 1, WbErrSample = mapping.WbErr.Sample() };
        return ErrnoOr<OpenFile>.Ok(file);
    }

    /// <summary>close(2): drops the opener's reference; the VMAs keep theirs.</summary>
    public static void Close(OpenFile file) => Mm.Mmap.Release(file);

    /// <summary>echo 2 &gt; /proc/sys/vm/drop_caches: evict every unreferenced inode of every mount.</summary>
    public int DropCaches()
    {
        var evicted = 0;
        foreach (var mount in mounts)
        {
            evicted += mount.FileSystem.Inodes.PruneUnreferenced();
        }

        return evicted;
    }
}
