using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Erofs.Failure;
using DaxHolder.Plugins.Erofs.Format;

namespace DaxHolder.Plugins.Erofs.Mount;

/// <summary>
/// A mounted EROFS (struct erofs_sb_info): erofs_fc_fill_super's DAX setup and log lines, the
/// read-only file operations, the inode cache, iomap, the rmap and, in the opt-in proposal mode,
/// the holder operations.
/// </summary>
internal sealed partial class ErofsMount : IMountedFileSystem
{
    private readonly ErofsImage image;
    private readonly IKernelServices kernel;
    private readonly ErofsReverseMap reverseMap;
    private readonly object? holder;
    private readonly bool daxAlways;

    private ErofsMount(ErofsImage image, MountRequest request, MountOptions options)
    {
        this.image = image;
        kernel = request.Kernel;
        SuperBlock = request.SuperBlock;
        Options = options;
        reverseMap = new ErofsReverseMap(image);
        if (options.RmapHolder)
        {
            var notify = new ErofsNotifyFailure(this, image, reverseMap);
            holder = notify;
            DaxDevice = kernel.FsDaxGetByBdev(image.Device, notify, notify);
        }
        else
        {
            // erofs_fc_fill_super (6.1: sbi->dax_dev; 6.12: sbi->dif0.dax_dev):
            // fs_dax_get_by_bdev(sb->s_bdev, &dax_part_off, NULL, NULL), whatever the dax option,
            // so no holder operations.
            DaxDevice = kernel.FsDaxGetByBdev(image.Device, null, null);
        }

        daxAlways = options.Dax == DaxMode.Always && DaxDevice is not null;
        inodes = new InodeCache<ErofsInode>(kernel, ReadInode);
    }

    public ISuperBlock SuperBlock { get; }

    public IFileOperations Files => this;

    public IInodeCache Inodes => inodes;

    public IIomapOps Iomap => this;

    public IReverseMap ReverseMap => reverseMap;

    /// <summary>The mount options.</summary>
    public MountOptions Options { get; }

    /// <summary>The disk's dax device, or null (no DAX, or another holder owns it in proposal mode).</summary>
    public IDaxDevice? DaxDevice { get; }

    /// <summary>The kernel services.</summary>
    public IKernelServices Kernel => kernel;

    /// <summary>
    /// erofs_fc_fill_super, the DAX part and its lines, in order: erofs_fc_set_dax_mode warns
    /// "DAX enabled. Warning: EXPERIMENTAL, use at your own risk" for dax=always before 6.10
    /// (warnfc, so "erofs: " and KERN_WARNING); with DAX_ALWAYS and no dax device, errorfc
    /// "DAX unsupported by block device. Turning off DAX." clears it and the mount goes on; the
    /// last line is erofs_info's "mounted with root inode @ nid %llu." ("erofs: (device %s): ").
    /// The same in 6.1 and 6.12 otherwise.
    /// </summary>
    public static ErrnoOr<IMountedFileSystem> Mount(MountRequest request, ErofsImage image)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(image);
        var options = MountOptions.Parse(request.Options);
        if (!options.IsOk)
        {
            return ErrnoOr<IMountedFileSystem>.Fail(options.Error, options.Message);
        }

        var log = request.Kernel.Log;
        // "erofs: drop experimental warning for FSDAX" (posted March 2024, merged for 6.10).
        if (options.Value.Dax == DaxMode.Always && request.Kernel.Profile.Has(KernelFeature.ErofsDaxExperimentalWarning))
        {
            log.Printk(KernelLogLevel.Warning, "erofs: DAX enabled. Warning: EXPERIMENTAL, use at your own risk");
        }

        var mount = new ErofsMount(image, request, options.Value);
        if (options.Value.Dax == DaxMode.Always && mount.DaxDevice is null)
        {
            log.Printk(KernelLogLevel.Err, "erofs: DAX unsupported by block device. Turning off DAX.");
        }

        if (options.Value.RmapHolder)
        {
            log.Printk(KernelLogLevel.Info, "DaxHolder model: erofs notify_failure from rmap (proposal, not in any kernel)");
        }

        log.Printk(KernelLogLevel.Info, $"erofs: (device {request.SuperBlock.Id}): mounted with root inode @ nid {image.Root.Nid}.");
        return ErrnoOr<IMountedFileSystem>.Ok(mount);
    }

    /// <summary>
    /// kill_sb: -EBUSY while an inode is still referenced; else every inode is evicted and
    /// erofs_kill_sb puts the dax device (fs_put_dax(dax_dev, NULL), or the proposal's holder).
    /// EROFS prints nothing at unmount.
    /// </summary>
    public Errno Unmount()
    {
        if (inodes.AnyReferenced)
        {
            return Errno.EBUSY;
        }

        inodes.EvictAll();

        if (DaxDevice is not null)
        {
            kernel.FsPutDax(DaxDevice, holder);
        }

        return Errno.Ok;
    }

    /// <summary>
    /// fs/erofs/inode.c (erofs_read_inode): which layouts get S_DAX under dax=always. FLAT_PLAIN
    /// always; CHUNK_BASED since "erofs: fix fsdax unavailability for chunk-based regular files"
    /// (18bddc5b6703, 6.5-rc2; in 6.1.y from the stable release of 24 July 2023, 6.1.40). Never
    /// FLAT_INLINE (its tail lives in a metadata block) nor compressed files, whose blocks are
    /// decompressed into the page cache and never mapped into user space.
    /// </summary>
    public static bool DaxMappable(DataLayout layout, KernelProfile profile) => layout switch
    {
        DataLayout.FlatPlain => true,
        DataLayout.ChunkBased => profile.Has(KernelFeature.ErofsChunkBasedDax),
        _ => false,
    };
}
