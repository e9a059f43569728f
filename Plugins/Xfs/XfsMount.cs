using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Xfs.Format;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>fs/xfs/xfs_mount.h: XFS_DAX_INODE, XFS_DAX_ALWAYS, XFS_DAX_NEVER.</summary>
internal enum XfsDaxMode
{
    /// <summary>dax=inode (the default): FS_XFLAG_DAX decides per inode.</summary>
    Inode,

    /// <summary>dax=always, or the bare "dax".</summary>
    Always,

    /// <summary>dax=never.</summary>
    Never,
}

/// <summary>
/// fs/xfs/xfs_super.c: a mounted XFS (struct xfs_mount). Mount opens the data, realtime and log
/// buftargs, each registering this mount as the dax holder of its disk with
/// xfs_dax_holder_operations (xfs_alloc_buftarg -&gt; fs_dax_get_by_bdev), whatever the dax
/// mode; checks dax=always (xfs_setup_dax_always); and prints the mount lines of the profile.
/// The holder operations are in XfsNotifyFailure.cs.
/// </summary>
internal sealed partial class XfsMount : IMountedFileSystem
{
    private XfsMount(XfsImage image, MountRequest request, XfsDaxMode daxMode)
    {
        Image = image;
        SuperBlock = request.SuperBlock;
        Kernel = request.Kernel;
        DaxMode = daxMode;
        Message = new XfsMessage(Kernel.Log, SuperBlock.Id);
        Bmap = new XfsBmap(image);
        Attr = new XfsAttr(image);
        Reflink = new XfsReflink(image, Bmap);
        Cache = new XfsInodeCache(this);
        FileOperations = new XfsFileOperations(this);
        IomapOperations = new XfsIomap(this);
        ReverseMapView = new XfsReverseMap(this);
    }

    public XfsImage Image { get; }

    public ISuperBlock SuperBlock { get; }

    public IKernelServices Kernel { get; }

    public XfsMessage Message { get; }

    /// <summary>The dax mode after mount (dax=always falls back to never without a DAX device).</summary>
    public XfsDaxMode DaxMode { get; private set; }

    /// <summary>m_ddev_targp-&gt;bt_daxdev: the data device's dax_device, or null.</summary>
    public IDaxDevice? DataDax { get; private set; }

    /// <summary>m_logdev_targp-&gt;bt_daxdev for an external log, or null.</summary>
    public IDaxDevice? LogDax { get; private set; }

    /// <summary>m_rtdev_targp-&gt;bt_daxdev, or null.</summary>
    public IDaxDevice? RtDax { get; private set; }

    public XfsBmap Bmap { get; }

    /// <summary>Extended attributes and the attr fork's blocks.</summary>
    public XfsAttr Attr { get; }

    public XfsReflink Reflink { get; }

    public XfsInodeCache Cache { get; }

    public XfsFileOperations FileOperations { get; }

    public XfsIomap IomapOperations { get; }

    public XfsReverseMap ReverseMapView { get; }

    /// <summary>m_agirotor: the next AG a new directory goes to.</summary>
    public uint DirectoryRotor;

    public IFileOperations Files => FileOperations;

    public IInodeCache Inodes => Cache;

    public IIomapOps Iomap => IomapOperations;

    public IReverseMap ReverseMap => ReverseMapView;

    /// <summary>xfs_is_shutdown.</summary>
    public bool IsShutdown => SuperBlock.IsShutdown;

    /// <summary>
    /// xfs_fs_fill_super: parse the options (dax, dax=always|never|inode, nothing else), open
    /// the devices (registering as holder), set up dax=always, refuse a second mount of the same
    /// filesystem, then "Mounting V5 Filesystem" and "Ending clean mount".
    /// </summary>
    public static ErrnoOr<IMountedFileSystem> Mount(MountRequest request, XfsImage image)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(image);
        var mode = ParseOptions(request.Options, request.Kernel.Log);
        if (!mode.IsOk)
        {
            return ErrnoOr<IMountedFileSystem>.Fail(mode.Error, mode.Message);
        }

        var mp = new XfsMount(image, request, mode.Value);
        mp.OpenDevices();
        if (mp.DaxMode == XfsDaxMode.Always)
        {
            var dax = mp.SetupDaxAlways();
            if (dax != Errno.Ok)
            {
                mp.CloseDevices();
                return ErrnoOr<IMountedFileSystem>.Fail(dax, "xfs: DAX and reflink cannot work with multi-partitions");
            }
        }

        if (image.Mounted)
        {
            mp.Message.Warn($"Filesystem has duplicate UUID {image.Uuid} - can't mount");
            mp.CloseDevices();
            return ErrnoOr<IMountedFileSystem>.Fail(Errno.EINVAL, "xfs: the filesystem is already mounted");
        }

        mp.Message.Notice(mp.PrintsUuid ? $"Mounting V5 Filesystem {image.Uuid}" : "Mounting V5 Filesystem");
        mp.Message.Notice("Ending clean mount");
        image.Mounted = true;
        return ErrnoOr<IMountedFileSystem>.Ok(mp);
    }

    /// <summary>
    /// kill_sb: -EBUSY while an inode is referenced; otherwise evict every inode
    /// (evict_inodes), say "Unmounting Filesystem", put each dax device (xfs_free_buftarg -&gt;
    /// fs_put_dax). The model then checks that the on-media structures still agree with each
    /// other, as fstests' _check_scratch_fs would, and throws if they do not (a model bug).
    /// </summary>
    public Errno Unmount()
    {
        if (Cache.InCore.Any(i => i.ReferenceCount > 0))
        {
            return Errno.EBUSY;
        }

        Cache.EvictAll();
        XfsAlloc.ForceLog(Image);
        Message.Notice(PrintsUuid ? $"Unmounting Filesystem {Image.Uuid}" : "Unmounting Filesystem");
        CloseDevices();
        Image.Mounted = false;
        XfsCheck.Verify(Image);
        return Errno.Ok;
    }

    /// <summary>
    /// xfs_inode_should_enable_dax: never under dax=never; only regular files on a buftarg with a
    /// dax_device; on ≤6.1 never for a reflinked inode (xfs_inode_supports_dax); always under
    /// dax=always; else the inode's FS_XFLAG_DAX.
    /// </summary>
    public bool ShouldEnableDax(XfsDinode ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        if (DaxMode == XfsDaxMode.Never || ip.IsDirectory || DataDax is null)
        {
            return false;
        }

        if (ip.Reflink && Kernel.Profile.Has(KernelFeature.ReflinkedInodesNotDax))
        {
            return false;
        }

        return DaxMode == XfsDaxMode.Always || ip.DaxFlag;
    }

    /// <summary>The mount and unmount lines carry sb_uuid from 6.2 ("xfs: Print XFS UUID on mount and umount events").</summary>
    private bool PrintsUuid => Kernel.Profile.Has(KernelFeature.XfsMountUuid);

    /// <summary>xfs_fs_parse_param for the options the model takes; anything else is -EINVAL as fs_parse logs it.</summary>
    private static ErrnoOr<XfsDaxMode> ParseOptions(FsOptions options, IKernelLog log)
    {
        var mode = XfsDaxMode.Inode;
        foreach (var (key, value) in options.Pairs)
        {
            if (key != "dax")
            {
                log.Printk(KernelLogLevel.Err, $"xfs: Unknown parameter '{key}'");
                return ErrnoOr<XfsDaxMode>.Fail(Errno.EINVAL, $"xfs: Unknown parameter '{key}' (the model takes dax and dax=always|never|inode)");
            }

            switch (value)
            {
                case null or "always":
                    mode = XfsDaxMode.Always;
                    break;
                case "never":
                    mode = XfsDaxMode.Never;
                    break;
                case "inode":
                    mode = XfsDaxMode.Inode;
                    break;
                default:
                    log.Printk(KernelLogLevel.Err, "xfs: Bad value for 'dax'");
                    return ErrnoOr<XfsDaxMode>.Fail(Errno.EINVAL, $"xfs: Bad value '{value}' for 'dax' (always, never or inode)");
            }
        }

        return ErrnoOr<XfsDaxMode>.Ok(mode);
    }

    /// <summary>
    /// xfs_open_devices: the data buftarg, then the realtime one, then an external log's, each
    /// xfs_alloc_buftarg -&gt; fs_dax_get_by_bdev(bdev, &amp;off, mp, &amp;xfs_dax_holder_operations).
    /// A second device on a disk this mount already holds gets no dax_device (one holder per disk).
    /// </summary>
    private void OpenDevices()
    {
        DataDax = Kernel.FsDaxGetByBdev(Image.Device, this, this);
        if (Image.RealtimeDevice is { } rt)
        {
            RtDax = Kernel.FsDaxGetByBdev(rt, this, this);
        }

        if (Image.LogDevice is { } log)
        {
            LogDax = Kernel.FsDaxGetByBdev(log, this, this);
        }
    }

    /// <summary>xfs_close_devices -&gt; xfs_free_buftarg -&gt; fs_put_dax for each dax_device held.</summary>
    private void CloseDevices()
    {
        foreach (var dax in new[] { DataDax, RtDax, LogDax })
        {
            if (dax is not null)
            {
                Kernel.FsPutDax(dax, this);
            }
        }

        DataDax = RtDax = LogDax = null;
    }

    /// <summary>
    /// fs/xfs/xfs_super.c: xfs_setup_dax_always(): no dax_device on the data and rt devices turns
    /// DAX off; reflink on a partition refuses the mount (6.0+, still in 6.12); ≤6.8-rc6 warns
    /// EXPERIMENTAL.
    /// </summary>
    private Errno SetupDaxAlways()
    {
        if (DataDax is null && RtDax is null)
        {
            Message.Alert("DAX unsupported by block device. Turning off DAX.");
            DaxMode = XfsDaxMode.Never;
            return Errno.Ok;
        }

        if (Image.HasReflink && Image.Device.IsPartition)
        {
            Message.Alert("DAX and reflink cannot work with multi-partitions!");
            return Errno.EINVAL;
        }

        if (Kernel.Profile.Has(KernelFeature.XfsDaxExperimentalWarning))
        {
            Message.Warn("DAX enabled. Warning: EXPERIMENTAL, use at your own risk");
        }

        return Errno.Ok;
    }

    public override string ToString() => $"xfs on {SuperBlock.Id}";
}
