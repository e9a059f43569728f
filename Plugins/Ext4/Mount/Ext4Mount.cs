using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Ext4.Failure;
using DaxHolder.Plugins.Ext4.Layout;

namespace DaxHolder.Plugins.Ext4.Mount;

/// <summary>
/// A mounted ext4 (struct ext4_sb_info): ext4_fill_super's DAX setup and log lines, the file
/// operations, the inode cache, iomap, the rmap and, in the opt-in proposal mode, the holder
/// operations.
/// </summary>
internal sealed partial class Ext4Mount : IMountedFileSystem
{
    private readonly Ext4Image image;
    private readonly IKernelServices kernel;
    private readonly Ext4Allocator allocator;
    private readonly Ext4ReverseMap reverseMap;
    private readonly object? holder;

    private Ext4Mount(Ext4Image image, MountRequest request, MountOptions options)
    {
        this.image = image;
        kernel = request.Kernel;
        SuperBlock = request.SuperBlock;
        Options = options;
        allocator = new Ext4Allocator(image.Geometry, image.Bitmap);
        reverseMap = new Ext4ReverseMap(image);
        Errors = new Ext4ErrorHandling(SuperBlock, kernel.Log, options.Errors);
        if (options.RmapHolder)
        {
            var notify = new Ext4NotifyFailure(this, image, reverseMap);
            holder = notify;
            DaxDevice = kernel.FsDaxGetByBdev(image.Device, notify, notify);
        }
        else
        {
            // ext4_alloc_sbi (6.1 and 6.12): fs_dax_get_by_bdev(sb->s_bdev, &sbi->s_dax_part_off, NULL, NULL).
            DaxDevice = kernel.FsDaxGetByBdev(image.Device, null, null);
        }

        inodes = new InodeCache<Ext4Inode>(kernel, ReadInode, Evicted, inode => inode.Orphan);
    }

    public ISuperBlock SuperBlock { get; }

    public IFileOperations Files => this;

    public IInodeCache Inodes => inodes;

    public IIomapOps Iomap => this;

    public IReverseMap ReverseMap => reverseMap;

    /// <summary>The mount options.</summary>
    public MountOptions Options { get; }

    /// <summary>sbi-&gt;s_daxdev: the disk's dax device, or null (no DAX, or another holder owns it in proposal mode).</summary>
    public IDaxDevice? DaxDevice { get; }

    /// <summary>The error state and its handling.</summary>
    public Ext4ErrorHandling Errors { get; }

    /// <summary>The kernel services.</summary>
    public IKernelServices Kernel => kernel;

    /// <summary>
    /// ext4_fill_super (the DAX part): take the dax device as ext4_alloc_sbi does, refuse
    /// dax=always without one ("DAX unsupported by block device."), then print the mount line of
    /// the running kernel. Neither 6.1 nor 6.12 prints a DAX warning: "ext4: remove dax
    /// EXPERIMENTAL warning" went into 5.16.
    /// </summary>
    public static ErrnoOr<IMountedFileSystem> Mount(MountRequest request, Ext4Image image)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(image);
        var options = MountOptions.Parse(request.Options);
        if (!options.IsOk)
        {
            return ErrnoOr<IMountedFileSystem>.Fail(options.Error, options.Message);
        }

        var mount = new Ext4Mount(image, request, options.Value);
        var log = request.Kernel.Log;
        var id = request.SuperBlock.Id;
        if (options.Value.Dax == DaxMode.Always && mount.DaxDevice is null)
        {
            log.Printk(KernelLogLevel.Err, $"EXT4-fs ({id}): DAX unsupported by block device.");
            mount.PutDax();
            return ErrnoOr<IMountedFileSystem>.Fail(Errno.EINVAL, $"ext4: dax=always but {image.Device.Name} gives no dax device");
        }

        if (options.Value.RmapHolder)
        {
            log.Printk(KernelLogLevel.Info, "DaxHolder model: ext4 notify_failure from rmap (proposal, not in any kernel)");
        }

        log.Printk(KernelLogLevel.Info, MountedLine(request.Kernel.Profile, id, image.Geometry.Options.Uuid));
        return ErrnoOr<IMountedFileSystem>.Ok(mount);
    }

    /// <summary>
    /// The KERN_INFO line at the end of ext4_fill_super: 6.1 prints "mounted filesystem with%s.
    /// Quota mode: %s."; from 6.2 the UUID follows "filesystem", and 6.12 adds "ro" or "r/w".
    /// </summary>
    private static string MountedLine(KernelProfile profile, string id, string uuid) =>
        !profile.Has(KernelFeature.Ext4MountUuid)
            ? $"EXT4-fs ({id}): mounted filesystem with ordered data mode. Quota mode: none."
            : $"EXT4-fs ({id}): mounted filesystem {uuid} r/w with ordered data mode. Quota mode: none.";

    /// <summary>
    /// kill_sb: -EBUSY while an inode is still referenced; else every inode is evicted
    /// (truncate_inode_pages_final), the journal commits (busy blocks become free), ext4_put_super
    /// prints "unmounting filesystem." (6.1; with the UUID from 6.2) and ext4_free_sbi puts the
    /// dax device (fs_put_dax(sbi-&gt;s_daxdev, NULL), or the proposal's holder).
    /// </summary>
    /// <summary>
    /// ext4_shutdown() (sb-&gt;s_op-&gt;shutdown, f5db130d4443, 6.5+), when the block device is removed:
    /// ext4_force_shutdown(sb, EXT4_GOING_FLAGS_NOLOGFLUSH) says "shut down requested (2)", marks the
    /// filesystem shut down (every later operation gets -EIO) and aborts the journal.
    /// </summary>
    public void Shutdown()
    {
        if (SuperBlock.IsShutdown)
        {
            return;
        }

        kernel.Log.Printk(KernelLogLevel.Alert, $"EXT4-fs ({SuperBlock.Id}): shut down requested (2)");
        SuperBlock.ForceShutdown("ext4_force_shutdown(EXT4_GOING_FLAGS_NOLOGFLUSH): the block device was removed");
        Errors.AbortJournal();
    }

    public Errno Unmount()
    {
        if (inodes.AnyReferenced)
        {
            return Errno.EBUSY;
        }

        inodes.EvictAll();

        image.Bitmap.Commit();
        kernel.Log.Printk(KernelLogLevel.Info, !kernel.Profile.Has(KernelFeature.Ext4MountUuid)
            ? $"EXT4-fs ({SuperBlock.Id}): unmounting filesystem."
            : $"EXT4-fs ({SuperBlock.Id}): unmounting filesystem {image.Geometry.Options.Uuid}.");
        PutDax();
        return Errno.Ok;
    }

    private void PutDax()
    {
        if (DaxDevice is not null)
        {
            kernel.FsPutDax(DaxDevice, holder);
        }
    }

    /// <summary>
    /// fs/ext4/inode.c: ext4_should_use_dax: regular files only, never with dax=never or without
    /// a dax device; always with dax=always; otherwise by EXT4_DAX_FL.
    /// </summary>
    private bool ShouldUseDax(Ext4InodeData data) =>
        !data.IsDirectory && DaxDevice is not null && Options.Dax != DaxMode.Never
        && (Options.Dax == DaxMode.Always || data.DaxFlag);
}
