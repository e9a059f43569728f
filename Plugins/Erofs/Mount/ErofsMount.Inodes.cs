using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Erofs.Mount;

/// <summary>
/// The inode cache (fs/inode.c with erofs_iget): a regular file is in core while referenced and
/// after its last iput until pruned (drop_caches) or unmounted; a mount starts with none. Nothing
/// is ever unlinked on a read-only filesystem, so an inode only leaves core by eviction.
/// </summary>
internal sealed partial class ErofsMount : IInodeCache
{
    private readonly SortedDictionary<ulong, ErofsInode> inCore = [];

    public IReadOnlyList<IInode> InCore => [.. inCore.Values];

    /// <summary>erofs_iget, then a reference (open, mmap). -EISDIR for the root directory, -ENOENT for an unused nid.</summary>
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

    public void Iput(IInode inode)
    {
        ArgumentNullException.ThrowIfNull(inode);
        if (!inCore.TryGetValue(inode.Number.Value, out var held) || held.References == 0)
        {
            throw new InvalidOperationException($"erofs model: iput of inode {inode.Number} without a reference");
        }

        held.References--;
    }

    public IInode? FindInCore(InodeNumber inode) => inCore.GetValueOrDefault(inode.Value);

    /// <summary>prune_icache_sb: evict every unreferenced inode, in nid order.</summary>
    public int PruneUnreferenced()
    {
        var victims = inCore.Values.Where(i => i.References == 0).ToList();
        victims.ForEach(Evict);
        return victims.Count;
    }

    /// <summary>
    /// erofs_iget/erofs_read_inode: S_DAX is cleared, then set for a regular file under
    /// dax=always whose layout DAX can map (<see cref="DaxMappable"/>).
    /// </summary>
    private ErrnoOr<ErofsInode> Bring(InodeNumber inode)
    {
        if (inCore.TryGetValue(inode.Value, out var held))
        {
            return ErrnoOr<ErofsInode>.Ok(held);
        }

        if (image.Find(inode) is not { } data)
        {
            return ErrnoOr<ErofsInode>.Fail(Errno.ENOENT, $"erofs: no inode with nid {inode}");
        }

        if (data.IsDirectory)
        {
            return ErrnoOr<ErofsInode>.Fail(Errno.EISDIR, $"erofs: nid {inode} is the root directory");
        }

        var dax = daxAlways && DaxMappable(data.Layout, kernel.Profile);
        held = new ErofsInode(data, kernel.InitInodeMapping(SuperBlock, inode, dax));
        inCore[inode.Value] = held;
        return ErrnoOr<ErofsInode>.Ok(held);
    }

    /// <summary>evict: truncate_inode_pages_final (every DAX entry deleted, its pages disassociated).</summary>
    private void Evict(ErofsInode inode)
    {
        kernel.TruncateInodePagesFinal(inode.Mapping);
        inCore.Remove(inode.Number.Value);
    }
}
