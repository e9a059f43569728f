using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs.Format;

/// <summary>
/// What mkfs.xfs left on the devices, changed by every mount since: the geometry and features,
/// the allocation groups with their btrees, every allocated inode, the log's place. It lives
/// with the data device between mounts, so a mount cycle keeps the files and empties the caches.
/// </summary>
internal sealed class XfsImage : IFileSystemImage
{
    internal XfsImage(MkfsRequest request, XfsGeometry geometry, XfsMkfsOptions features, string uuid)
    {
        Device = request.Device;
        LogDevice = request.LogDevice;
        RealtimeDevice = request.RealtimeDevice;
        Geometry = geometry;
        Features = features;
        Uuid = uuid;
        Ags = [.. Enumerable.Range(0, (int)geometry.AgCount).Select(a => new AllocationGroup((uint)a, geometry.AgLength((uint)a), geometry.AgBlkLog))];
    }

    public string FileSystemType => "xfs";

    public IBlockDevice Device { get; }

    public IBlockDevice? LogDevice { get; }

    public IBlockDevice? RealtimeDevice { get; }

    /// <summary>The superblock geometry.</summary>
    public XfsGeometry Geometry { get; }

    /// <summary>The features mkfs enabled (reflink, rmapbt) and the agcount it was asked for.</summary>
    public XfsMkfsOptions Features { get; }

    /// <summary>xfs_has_rmapbt.</summary>
    public bool HasRmapbt => Features.Rmapbt;

    /// <summary>xfs_has_reflink.</summary>
    public bool HasReflink => Features.Reflink;

    /// <summary>sb_uuid, as %pU prints it.</summary>
    public string Uuid { get; }

    /// <summary>The allocation groups.</summary>
    public IReadOnlyList<AllocationGroup> Ags { get; }

    /// <summary>Every allocated inode.</summary>
    public Dictionary<ulong, XfsDinode> Inodes { get; } = [];

    /// <summary>sb_rootino.</summary>
    public ulong RootIno { get; set; }

    /// <summary>sb_logblocks: the log's size (internal, or on the log device).</summary>
    public ulong LogBlocks { get; set; }

    /// <summary>The log's AG when it is internal (sb_logstart's AG), or null.</summary>
    public uint? LogAgno { get; set; }

    /// <summary>Whether a mount holds the image (a second mount is refused, as a duplicate UUID).</summary>
    public bool Mounted { get; set; }

    /// <summary>The data device's first block on its disk (bt_dax_part_off in blocks), for physical alignment.</summary>
    public ulong DeviceStartBlock => Device.Start.Value >> XfsGeometry.BlockLog;

    /// <summary>The AG holding <paramref name="fsbno"/>.</summary>
    public AllocationGroup AgOf(ulong fsbno) => Ags[(int)Geometry.FsbToAgno(fsbno)];

    public override string ToString() => $"xfs on {Device.Name} ({Features})";
}
