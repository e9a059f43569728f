using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>An in-core XFS inode (struct xfs_inode with its VFS inode).</summary>
internal sealed class XfsInode(XfsDinode dinode, IAddressSpace mapping) : IInode
{
    /// <summary>The on-media inode it caches.</summary>
    public XfsDinode Dinode { get; } = dinode;

    public InodeNumber Number => new(Dinode.Ino);

    public ByteLength Size => new(Dinode.Size);

    /// <summary>i_mapping; IsDax is S_DAX, decided when the inode came into core.</summary>
    public IAddressSpace Mapping { get; } = mapping;

    public int ReferenceCount => References;

    /// <summary>i_count.</summary>
    public int References { get; set; }

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
internal sealed class XfsInodeCache(XfsMount mount) : IInodeCache
{
    private readonly SortedDictionary<ulong, XfsInode> inCore = [];

    public IReadOnlyList<IInode> InCore => [.. inCore.Values];

    /// <summary>iget: into core if needed, plus a reference. -EIO after a shutdown.</summary>
    public ErrnoOr<IInode> Iget(InodeNumber inode)
    {
        var got = Grab(inode.Value);
        if (!got.IsOk)
        {
            return ErrnoOr<IInode>.Fail(got.Error, got.Message);
        }

        got.Value.References++;
        return ErrnoOr<IInode>.Ok(got.Value);
    }

    /// <summary>iput: drops a reference; the last one of an unlinked inode evicts it (iput_final).</summary>
    public void Iput(IInode inode)
    {
        ArgumentNullException.ThrowIfNull(inode);
        if (!inCore.TryGetValue(inode.Number.Value, out var held) || held.References == 0)
        {
            throw new InvalidOperationException($"xfs: iput of {inode.Number} without a reference");
        }

        if (--held.References == 0 && held.Dinode.Nlink == 0)
        {
            Evict(held);
        }
    }

    /// <summary>xfs_iget(XFS_IGET_INCORE): the cached inode, or null (-ENODATA). No reference is taken.</summary>
    public IInode? FindInCore(InodeNumber inode) => inCore.GetValueOrDefault(inode.Value);

    /// <summary>drop_caches / prune_icache_sb: evict every unreferenced inode.</summary>
    public int PruneUnreferenced()
    {
        var victims = inCore.Values.Where(i => i.References == 0).ToList();
        victims.ForEach(Evict);
        return victims.Count;
    }

    /// <summary>
    /// The inode in core without taking a reference (a file operation's transient use), reading
    /// it from the media if needed. -EIO after a shutdown, -ENOENT for a freed inode.
    /// </summary>
    public ErrnoOr<XfsInode> Grab(ulong ino)
    {
        if (mount.IsShutdown)
        {
            return ErrnoOr<XfsInode>.Fail(Errno.EIO, "xfs: the filesystem is shut down");
        }

        if (inCore.TryGetValue(ino, out var held))
        {
            return ErrnoOr<XfsInode>.Ok(held);
        }

        if (!mount.Image.Inodes.TryGetValue(ino, out var dinode))
        {
            return ErrnoOr<XfsInode>.Fail(Errno.ENOENT, $"xfs: inode {ino} is not allocated");
        }

        held = new XfsInode(dinode, mount.Kernel.InitInodeMapping(mount.SuperBlock, new InodeNumber(ino), mount.ShouldEnableDax(dinode)));
        inCore[ino] = held;
        return ErrnoOr<XfsInode>.Ok(held);
    }

    /// <summary>The in-core inode, if cached.</summary>
    public XfsInode? Cached(ulong ino) => inCore.GetValueOrDefault(ino);

    /// <summary>Unmount: every inode goes (none may be referenced).</summary>
    public void EvictAll()
    {
        foreach (var inode in inCore.Values.ToList())
        {
            Evict(inode);
        }
    }

    /// <summary>
    /// evict -&gt; xfs_fs_destroy_inode -&gt; xfs_inactive: DAX entries deleted, CoW staging
    /// cancelled, and an unlinked inode's blocks and inode freed.
    /// </summary>
    public void Evict(XfsInode inode)
    {
        ArgumentNullException.ThrowIfNull(inode);
        mount.Kernel.TruncateInodePagesFinal(inode.Mapping);
        inCore.Remove(inode.Dinode.Ino);
        mount.Reflink.CancelCow(inode.Dinode, 0, ulong.MaxValue);
        if (inode.Dinode.Nlink == 0)
        {
            Inactivate(inode.Dinode);
        }
    }

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
}
