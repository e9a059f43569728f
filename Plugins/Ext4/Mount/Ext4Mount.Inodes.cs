using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Ext4.Layout;

namespace DaxHolder.Plugins.Ext4.Mount;

/// <summary>
/// The inode cache (fs/inode.c with ext4_iget and ext4_evict_inode): a regular file is in core
/// while referenced and after its last iput until pruned (drop_caches) or unmounted; a mount
/// starts with none. The root, the journal and lost+found stay pinned in the kernel but are not
/// mappable, so the cache lists regular files only.
/// </summary>
internal sealed partial class Ext4Mount : IInodeCache
{
    private readonly SortedDictionary<ulong, Ext4Inode> inCore = [];

    public IReadOnlyList<IInode> InCore => [.. inCore.Values];

    /// <summary>ext4_iget, then a reference (open, mmap). -EISDIR for a directory, -ENOENT for a free inode.</summary>
    public ErrnoOr<IInode> Iget(InodeNumber inode)
    {
        var held = Bring(inode);
        if (!held.IsOk)
        {
            return ErrnoOr<IInode>.Fail(held.Error, held.Message);
        }

        held.Value.References++;
        return ErrnoOr<IInode>.Ok(held.Value);
    }

    /// <summary>iput: the last reference to an unlinked inode evicts it and frees its blocks (iput_final, generic_drop_inode).</summary>
    public void Iput(IInode inode)
    {
        ArgumentNullException.ThrowIfNull(inode);
        if (!inCore.TryGetValue(inode.Number.Value, out var held) || held.References == 0)
        {
            throw new InvalidOperationException($"ext4 model: iput of inode {inode.Number} without a reference");
        }

        if (--held.References == 0 && held.Orphan)
        {
            Evict(held);
        }
    }

    public IInode? FindInCore(InodeNumber inode) => inCore.GetValueOrDefault(inode.Value);

    /// <summary>prune_icache_sb: evict every unreferenced inode, in inode order.</summary>
    public int PruneUnreferenced()
    {
        var victims = inCore.Values.Where(i => i.References == 0).ToList();
        victims.ForEach(Evict);
        return victims.Count;
    }

    private ErrnoOr<Ext4Inode> Bring(InodeNumber inode)
    {
        if (inCore.TryGetValue(inode.Value, out var held))
        {
            return ErrnoOr<Ext4Inode>.Ok(held);
        }

        if (image.Find(inode) is not { } data)
        {
            return ErrnoOr<Ext4Inode>.Fail(Errno.ENOENT, $"ext4: inode {inode} is not in use");
        }

        if (data.IsDirectory)
        {
            return ErrnoOr<Ext4Inode>.Fail(Errno.EISDIR, $"ext4: inode {inode} is a directory");
        }

        held = new Ext4Inode(data, kernel.InitInodeMapping(SuperBlock, inode, ShouldUseDax(data)));
        inCore[inode.Value] = held;
        return ErrnoOr<Ext4Inode>.Ok(held);
    }

    /// <summary>ext4_evict_inode: truncate_inode_pages_final; an unlinked inode also loses its blocks and its inode.</summary>
    private void Evict(Ext4Inode inode)
    {
        kernel.TruncateInodePagesFinal(inode.Mapping);
        inCore.Remove(inode.Number.Value);
        if (inode.Orphan)
        {
            FreeAllBlocks(inode.Data);
            image.FreeInode(inode.Number);
        }
    }

    private void FreeAllBlocks(Ext4InodeData data)
    {
        var freed = data.Tree.Remove(0, ulong.MaxValue, TreeBlocks(data));
        foreach (var run in freed.Value)
        {
            allocator.Free(run.Physical, run.Length);
        }

        Ext4Xattr.Drop(data, block => allocator.Free(block, 1));
    }
}
