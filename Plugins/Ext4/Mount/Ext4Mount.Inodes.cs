using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Ext4.Layout;

namespace DaxHolder.Plugins.Ext4.Mount;

/// <summary>
/// The inode cache (fs/inode.c with ext4_iget and ext4_evict_inode), the contract's
/// <see cref="InodeCache{TInode}"/>: a regular file is in core while referenced and after its last
/// iput until pruned (drop_caches) or unmounted; a mount starts with none; the last iput of an
/// unlinked (orphan) inode evicts it at once (iput_final, generic_drop_inode). The root, the journal
/// and lost+found stay pinned in the kernel but are not mappable, so the cache holds regular files only.
/// </summary>
internal sealed partial class Ext4Mount
{
    private readonly InodeCache<Ext4Inode> inodes;

    /// <summary>ext4_iget: -EISDIR for a directory, -ENOENT for a free inode; S_DAX as ext4_should_use_dax decides.</summary>
    private ErrnoOr<Ext4Inode> ReadInode(InodeNumber inode)
    {
        if (image.Find(inode) is not { } data)
        {
            return ErrnoOr<Ext4Inode>.Fail(Errno.ENOENT, $"ext4: inode {inode} is not in use");
        }

        if (data.IsDirectory)
        {
            return ErrnoOr<Ext4Inode>.Fail(Errno.EISDIR, $"ext4: inode {inode} is a directory");
        }

        return ErrnoOr<Ext4Inode>.Ok(new Ext4Inode(data, kernel.InitInodeMapping(SuperBlock, inode, ShouldUseDax(data))));
    }

    /// <summary>ext4_evict_inode after truncate_inode_pages_final: an unlinked inode also loses its blocks and its inode.</summary>
    private void Evicted(Ext4Inode inode)
    {
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
