using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs.Format;

/// <summary>
/// mkfs.xfs (xfsprogs mkfs/xfs_mkfs.c with libxfs/xfs_ag.c's header initialisation), as far as
/// the model needs: the geometry, the per-AG headers and btree roots, the AGFL's blocks, the
/// internal log in the middle AG, and the root inode chunk (root directory, realtime bitmap and
/// summary inodes: 128, 129, 130 on every filesystem the model makes).
/// </summary>
internal static class XfsMkfs
{
    /// <summary>Makes the filesystem; -EINVAL with mkfs.xfs's complaint for bad options or sizes.</summary>
    public static ErrnoOr<XfsImage> Make(MkfsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = XfsMkfsOptions.Parse(request.Options, realtime: request.RealtimeDevice is not null);
        if (!options.IsOk)
        {
            return ErrnoOr<XfsImage>.Fail(options.Error, options.Message);
        }

        var stripeUnit = options.Value.StripeUnit >> XfsGeometry.BlockLog;
        var geometry = XfsGeometry.Compute(request.Device.Size.Value >> XfsGeometry.BlockLog, options.Value.AgCount, stripeUnit, stripeUnit * options.Value.StripeWidth);
        if (!geometry.IsOk)
        {
            return ErrnoOr<XfsImage>.Fail(geometry.Error, geometry.Message);
        }

        var g = geometry.Value;
        var features = options.Value;
        var image = new XfsImage(request, g, features, MakeUuid(request));
        image.LogBlocks = request.LogDevice is { } logdev
            ? Math.Min(logdev.Size.Value >> XfsGeometry.BlockLog, XfsGeometry.MaxLogBlocks)
            : InternalLogBlocks(g);
        image.LogAgno = request.LogDevice is null ? g.AgCount / 2 : null;
        foreach (var ag in image.Ags)
        {
            var laid = LayOutAg(image, ag);
            if (laid != Errno.Ok)
            {
                return ErrnoOr<XfsImage>.Fail(laid, $"mkfs.xfs: log size {image.LogBlocks} blocks too large for AG {ag.Agno} of {ag.Length} blocks");
            }
        }

        MakeRootChunk(image);
        return ErrnoOr<XfsImage>.Ok(image);
    }

    /// <summary>
    /// calculate_log_size: 1/2048 of the filesystem but at least 64 MiB (xfsprogs 5.15+), the
    /// old small minimum below 512 MiB, and never more than an AG can hold.
    /// </summary>
    private static ulong InternalLogBlocks(XfsGeometry g)
    {
        const ulong smallFsLogBlocks = 2560; // about xfs_log_calc_minimum_size for this geometry
        var blocks = g.DataBlocks < (512UL << 20) >> XfsGeometry.BlockLog
            ? smallFsLogBlocks
            : Math.Max(g.DataBlocks / 2048, XfsGeometry.MinRealisticLogBlocks);
        return Math.Min(blocks, Math.Min(g.AgBlocks - 64UL, XfsGeometry.MaxLogBlocks));
    }

    /// <summary>
    /// xfs_ag_init_headers, xfs_rmaproot_init and xfs_alloc_fix_freelist at mkfs: headers 0-3
    /// (OWN_FS), bnobt and cntbt roots (OWN_AG), inobt and finobt roots (OWN_INOBT), the rmapbt
    /// root (OWN_AG) and refcountbt root (OWN_REFC) when enabled, the log in its AG (OWN_LOG),
    /// then the AGFL's blocks (OWN_AG: 4, or 6 with an rmapbt, xfs_alloc_min_freelist at level 1).
    /// </summary>
    private static Errno LayOutAg(XfsImage image, AllocationGroup ag)
    {
        ag.FreeSpace.Free(0, ag.Length);
        ag.Allocate(AllocationGroup.SbBlock, 4, XfsRmapOwner.Fs);
        ag.Allocate(AllocationGroup.BnoRoot, 2, XfsRmapOwner.Ag);
        ag.Allocate(AllocationGroup.InoRoot, 2, XfsRmapOwner.Inobt);
        var next = AllocationGroup.FinoRoot + 1;
        if (image.HasRmapbt)
        {
            ag.RmapRoot = next;
            ag.Allocate(next++, 1, XfsRmapOwner.Ag);
        }

        if (image.HasReflink)
        {
            ag.RefcRoot = next;
            ag.Allocate(next++, 1, XfsRmapOwner.Refc);
        }

        var freeList = image.HasRmapbt ? 6u : 4u;
        if (image.LogAgno == ag.Agno)
        {
            if (next + image.LogBlocks + freeList > ag.Length)
            {
                return Errno.EINVAL;
            }

            ag.Log = (next, (uint)image.LogBlocks);
            ag.Allocate(next, (uint)image.LogBlocks, XfsRmapOwner.Log);
            next += (uint)image.LogBlocks;
        }

        ag.FreeList = (next, freeList);
        ag.Allocate(next, freeList, XfsRmapOwner.Ag);
        return Errno.Ok;
    }

    /// <summary>
    /// The root inode chunk: xfs_ialloc_ag_alloc near the inobt root with inode alignment (8
    /// blocks), so AG block 16 and inode 128; then the root directory, rbmino and rsumino.
    /// </summary>
    private static void MakeRootChunk(XfsImage image)
    {
        var ag = image.Ags[0];
        var chunk = XfsIalloc.FindChunkSpace(ag, near: AllocationGroup.InoRoot) ?? throw new InvalidOperationException("mkfs.xfs: no room for the root inode chunk");
        ag.Allocate(chunk, XfsGeometry.ChunkBlocks, XfsRmapOwner.Inodes);
        var first = XfsGeometry.AgbToAgino(chunk);
        ag.Inobt.AddChunk(first);
        for (uint i = 0; i < 3; i++)
        {
            ag.Inobt.Use(first + i);
            var ino = image.Geometry.AginoToIno(0, first + i);
            image.Inodes[ino] = new XfsDinode(ino, isDirectory: i == 0, image.Geometry.AgBlkLog) { Nlink = i == 0 ? 2u : 1u };
        }

        image.RootIno = image.Geometry.AginoToIno(0, first);
    }

    /// <summary>
    /// A UUID that depends only on the devices: the same mkfs gives the same UUID, and a comparison
    /// of mkfs options (reflink on/off) does not differ by UUID alone in every mount line.
    /// </summary>
    private static string MakeUuid(MkfsRequest request)
    {
        var seed = $"xfs:{request.Device.Name}:{request.Device.Start.Value}:{request.Device.Size.Value}:{request.LogDevice?.Name}:{request.RealtimeDevice?.Name}";
        ulong h1 = 14695981039346656037, h2 = 1099511628211;
        foreach (var c in seed)
        {
            h1 = (h1 ^ c) * 1099511628211;
            h2 = (h2 ^ c) * 14695981039346656037 + 0x9e3779b97f4a7c15;
        }

        var hex = h1.ToString("x16", CultureInfo.InvariantCulture) + h2.ToString("x16", CultureInfo.InvariantCulture);
        var v4 = hex[..12] + "4" + hex[13..16] + "8" + hex[17..];
        return $"{v4[..8]}-{v4[8..12]}-{v4[12..16]}-{v4[16..20]}-{v4[20..32]}";
    }
}
