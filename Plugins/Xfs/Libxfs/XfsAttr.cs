using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Xfs.Format;

namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// libxfs/xfs_attr.c, xfs_attr_leaf.c and xfs_attr_remote.c, reduced to where the attr fork's
/// blocks are: attributes live in the inode (short form) while they fit beside the data fork;
/// otherwise in one leaf block at attr-fork block 0, with each value too big to sit in the leaf
/// in its own remote blocks at the lowest free attr-fork offsets. Every attr-fork block is an
/// rmapbt record of the inode with XFS_RMAP_ATTR_FORK, which xfs_dax_failure_fn answers with a
/// shutdown (fs/xfs/xfs_notify_failure.c). The attribute values' contents are not kept.
/// </summary>
internal sealed class XfsAttr(XfsImage image)
{
    /// <summary>XATTR_NAME_MAX.</summary>
    public const int NameMax = 255;

    /// <summary>XATTR_SIZE_MAX: the VFS's limit on a value.</summary>
    public const ulong SizeMax = 65536;

    /// <summary>The literal area of a 512-byte V5 inode: 512 - sizeof(struct xfs_dinode) (176).</summary>
    private const int LiteralArea = 336;

    /// <summary>XFS_ATTR_SF_ENTSIZE_MAX: a short-form name or value must be shorter (one-byte lengths).</summary>
    private const int SfEntsizeMax = 0xff;

    /// <summary>XFS_BMDR_SPACE_CALC(MINDBTPTRS): the least room xfs_attr_shortform_bytesfit leaves the data fork.</summary>
    private const int MinDataForkBytes = 4 + (3 * 16);

    /// <summary>sizeof(struct xfs_attr3_leaf_hdr).</summary>
    private const int LeafHeader = 80;

    /// <summary>XFS_ATTR_LEAF_ENTSIZE_LOCAL_MAX(4096): (bsize / 2) + (bsize / 4).</summary>
    private const int LocalMax = 3072;

    /// <summary>XFS_ATTR3_RMT_BUF_SPACE(mp, 4096): a remote block less its struct xfs_attr3_rmt_hdr.</summary>
    private const ulong RemoteBlockSpace = XfsGeometry.BlockSize - 56;

    /// <summary>
    /// xfs_attr_set: creates or replaces <paramref name="name"/> with a value of
    /// <paramref name="valueLength"/> bytes, then lays the attr fork out again: short form,
    /// leaf, remote value blocks. -ENOSPC when the filesystem is full or the attributes need a
    /// second leaf block (node form, not modelled).
    /// </summary>
    public ErrnoOr<bool> Set(XfsDinode ip, string name, ulong valueLength)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var previous = ip.Xattrs.TryGetValue(name, out var old) ? old : (ulong?)null;
        ip.Xattrs[name] = valueLength;
        if (!FitsShortForm(ip) && LeafBytes(ip.Xattrs) > XfsGeometry.BlockSize)
        {
            Restore(ip, name, previous);
            return ErrnoOr<bool>.Fail(Errno.ENOSPC, "xfs: the attributes need more than one leaf block (node-form attr forks are not modelled)");
        }

        if (Layout(ip) is { } failed)
        {
            Restore(ip, name, previous);
            Layout(ip);
            return ErrnoOr<bool>.Fail(failed, "xfs: no space left for the attr fork");
        }

        return ErrnoOr<bool>.Ok(true);
    }

    /// <summary>xfs_attr_remove: -ENODATA if absent; the leaf goes back to short form when everything fits (xfs_attr3_leaf_to_shortform).</summary>
    public Errno Remove(XfsDinode ip, string name)
    {
        ArgumentNullException.ThrowIfNull(ip);
        if (!ip.Xattrs.Remove(name))
        {
            return Errno.ENODATA;
        }

        return Layout(ip) ?? Errno.Ok;
    }

    /// <summary>xfs_attr_inactive: every attr-fork block is freed with the inode.</summary>
    public void Inactivate(XfsDinode ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        ip.Xattrs.Clear();
        Layout(ip);
    }

    /// <summary>The attr fork's extents wanted for the current attributes: (attr-fork block, blocks) in offset order.</summary>
    private static List<(ulong Off, ulong Count)> WantedBlocks(XfsDinode ip)
    {
        if (ip.Xattrs.Count == 0 || FitsShortForm(ip))
        {
            return [];
        }

        var wanted = new List<(ulong, ulong)> { (0, 1) };
        var next = 1UL;
        foreach (var (name, length) in ip.Xattrs)
        {
            if (!IsLocal(name, length))
            {
                var blocks = Math.Max(1, (length + RemoteBlockSpace - 1) / RemoteBlockSpace);
                wanted.Add((next, blocks));
                next += blocks;
            }
        }

        return wanted;
    }

    /// <summary>
    /// Brings the attr fork's blocks in line with <see cref="WantedBlocks"/>: blocks no longer
    /// wanted are freed (rmap unmap, free space), missing ones allocated near the inode
    /// (xfs_bmap_adjacent) with XFS_RMAP_ATTR_FORK records. Returns -ENOSPC if allocation failed.
    /// </summary>
    private Errno? Layout(XfsDinode ip)
    {
        var wanted = WantedBlocks(ip);
        foreach (var e in ip.AttrFork.Extents.ToList())
        {
            if (!wanted.Contains((e.StartOff, e.BlockCount)))
            {
                ip.AttrFork.Remove(e.StartOff, e.EndOff);
                image.AgOf(e.StartBlock).Release(image.Geometry.FsbToAgbno(e.StartBlock), (uint)e.BlockCount, ip.Ino, e.StartOff, RmapRecordFlags.AttrFork);
            }
        }

        foreach (var (off, count) in wanted)
        {
            if (ip.AttrFork.Find(off) is not null)
            {
                continue;
            }

            var allocated = XfsAlloc.Allocate(image, image.Geometry.InoToFsb(ip.Ino), (uint)count, 1);
            if (allocated is not { } got || got.Count < count)
            {
                if (allocated is { } partial)
                {
                    image.AgOf(partial.Fsbno).FreeSpace.Free(image.Geometry.FsbToAgbno(partial.Fsbno), partial.Count);
                }

                return Errno.ENOSPC;
            }

            ip.AttrFork.Insert(new BmapExtent(off, got.Fsbno, count, Unwritten: false));
            image.AgOf(got.Fsbno).Rmap.Map(image.Geometry.FsbToAgbno(got.Fsbno), (uint)count, ip.Ino, off, RmapRecordFlags.AttrFork);
        }

        return null;
    }

    /// <summary>
    /// xfs_attr_shortform_bytesfit, reduced: every name and value under XFS_ATTR_SF_ENTSIZE_MAX and
    /// the short-form size within the literal area less what the data fork keeps (its in-inode
    /// extents, at least a minimal bmbt root, 8-byte aligned).
    /// </summary>
    private static bool FitsShortForm(XfsDinode ip)
    {
        if (ip.Xattrs.Any(a => a.Key.Length >= SfEntsizeMax || a.Value >= SfEntsizeMax))
        {
            return false;
        }

        var dataFork = ip.BmbtBlocks.Count > 0 ? MinDataForkBytes : Math.Max(ip.DataFork.Extents.Count * 16, MinDataForkBytes);
        var room = LiteralArea - ((dataFork + 7) / 8 * 8);
        var size = 4 + ip.Xattrs.Sum(a => 3 + a.Key.Length + (int)a.Value);
        return size <= room;
    }

    /// <summary>The leaf block's bytes: header, one 8-byte entry per attribute, and each name (and local value) 4-byte aligned.</summary>
    private static ulong LeafBytes(SortedDictionary<string, ulong> attrs) =>
        LeafHeader + (ulong)attrs.Sum(a => 8 + (IsLocal(a.Key, a.Value) ? LocalEntry(a.Key, a.Value) : RoundUp4(9 + a.Key.Length)));

    /// <summary>xfs_attr_leaf_newentsize: the value stays in the leaf if its local entry is under the local maximum.</summary>
    private static bool IsLocal(string name, ulong length) => LocalEntry(name, length) < LocalMax;

    /// <summary>xfs_attr_leaf_entsize_local: sizeof(struct xfs_attr_leaf_name_local) (3) + name + value, 4-byte aligned.</summary>
    private static long LocalEntry(string name, ulong length) => RoundUp4((long)Math.Min(length, long.MaxValue / 2) + 3 + name.Length);

    private static long RoundUp4(long n) => (n + 3) / 4 * 4;

    private static void Restore(XfsDinode ip, string name, ulong? previous)
    {
        if (previous is { } value)
        {
            ip.Xattrs[name] = value;
        }
        else
        {
            ip.Xattrs.Remove(name);
        }
    }
}
