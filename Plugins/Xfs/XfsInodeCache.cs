using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>An in-core XFS inode (struct xfs_inode with its VFS inode).</summary>
internal sealed class XfsInode(XfsDinode dinode, IAddressSpace mapping) : CachedInode(mapping)
{
    /// <summary>The on-media inode it caches.</summary>
    public XfsDinode Dinode { get; } = dinode;

    public override InodeNumber Number => new(Dinode.Ino);

    public override ByteLength Size => new(Dinode.Size);

    public override string ToString() => $"ino {Dinode.Ino}{(Mapping.IsDax ? " (S_DAX)" : "")}";
}

/// <summary>
/// fs/xfs/xfs_icache.c: the inode cache. An inode comes into core on iget (open, mmap) and on any
/// file operation, which leaves it cached ("recently used") until it is pruned; a name lookup alone
/// does not instantiate it. S_DAX is decided as it comes in (xfs_setup_inode), so on 6.1 an inode
/// that was DAX when it was reflinked stays DAX until it is evicted, as Debian's 6.1.192 was seen
/// to do under QEMU. Eviction deletes its DAX entries (truncate_inode_pages_final), cancels its CoW
/// staging extents, and inactivates an unlinked inode (frees its blocks and its inode). A mount
/// starts with an empty cache.
/// </summary>
internal sealed class XfsInodeCache : IInodeCache
{
    private readonly XfsMount mount;
    private readonly InodeCache<XfsInode> cache;

    public XfsInodeCache(XfsMount mount)
    {
        this.mount = mount;
        cache = new InodeCache<XfsInode>(mount.Kernel, Read, Evicted, inode => inode.Dinode.Nlink == 0);
    }

    public IReadOnlyList<IInode> InCore => cache.InCore;

    /// <summary>iget: into core if needed, plus a reference. -EIO after a shutdown.</summary>
    public ErrnoOr<IInode> Iget(InodeNumber inode) => mount.IsShutdown ? ErrnoOr<IInode>.Fail(Errno.EIO, "xfs: the filesystem is shut down") : cache.Iget(inode);

    /// <summary>iput: drops a reference; the last one of an unlinked inode evicts it (iput_final).</summary>
    public void Iput(IInode inode) => cache.Iput(inode);

    /// <summary>xfs_iget(XFS_IGET_INCORE): the cached inode, or null (-ENODATA). No reference is taken.</summary>
    public IInode? FindInCore(InodeNumber inode) => cache.FindInCore(inode);

    /// <summary>drop_caches / prune_icache_sb: evict every unreferenced inode.</summary>
    public int PruneUnreferenced() => cache.PruneUnreferenced();

    /// <summary>
    /// The inode in core without taking a reference (a file operation's transient use), reading
    /// it from the media if needed. -EIO after a shutdown, -ENOENT for a freed inode.
    /// </summary>
    public ErrnoOr<XfsInode> Grab(ulong ino) =>
        mount.IsShutdown ? ErrnoOr<XfsInode>.Fail(Errno.EIO, "xfs: the filesystem is shut down") : cache.Grab(new InodeNumber(ino));

    /// <summary>The in-core inode, if cached.</summary>
    public XfsInode? Cached(ulong ino) => cache.Find(new InodeNumber(ino));

    /// <summary>d_mark_dontcache(): evicted at its last iput, so its next read decides S_DAX again.</summary>
    public void MarkDontCache(ulong ino) => cache.MarkDontCache(new InodeNumber(ino));

    /// <summary>Unmount: every inode goes (none may be referenced).</summary>
    public void EvictAll() => cache.EvictAll();

    /// <summary>
    /// evict -&gt; xfs_fs_destroy_inode -&gt; xfs_inactive: DAX entries deleted, CoW staging
    /// cancelled, and an unlinked inode's blocks and inode freed.
    /// </summary>
    public void Evict(XfsInode inode) => cache.Evict(inode);

    /// <summary>xfs_inactive of an unlinked inode: truncate to zero (xfs_itruncate_extents), free the attr fork (xfs_attr_inactive), then xfs_ifree.</summary>
    public void Inactivate(XfsDinode dinode)
    {
        ArgumentNullException.ThrowIfNull(dinode);
        mount.Reflink.CancelCow(dinode, 0, ulong.MaxValue);
        mount.Bmap.UnmapRange(dinode, 0, ulong.MaxValue);
        mount.Attr.Inactivate(dinode);
        mount.Image.Inodes.Remove(dinode.Ino);
        XfsIalloc.Difree(mount.Image, dinode.Ino);
    }

    /// <summary>xfs_iget from the media: the inode with S_DAX as xfs_setup_inode decides it; -ENOENT for a freed inode.</summary>
    private ErrnoOr<XfsInode> Read(InodeNumber ino) =>
        mount.Image.Inodes.TryGetValue(ino.Value, out var dinode)
            ? ErrnoOr<XfsInode>.Ok(new XfsInode(dinode, mount.Kernel.InitInodeMapping(mount.SuperBlock, ino, mount.ShouldEnableDax(dinode))))
            : ErrnoOr<XfsInode>.Fail(Errno.ENOENT, $"xfs: inode {ino} is not allocated");

    /// <summary>After truncate_inode_pages_final: CoW staging cancelled, an unlinked inode inactivated.</summary>
    private void Evicted(XfsInode inode)
    {
        mount.Reflink.CancelCow(inode.Dinode, 0, ulong.MaxValue);
        if (inode.Dinode.Nlink == 0)
        {
            Inactivate(inode.Dinode);
        }
    }
}
