using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Ext4.Layout;

namespace DaxHolder.Plugins.Ext4.Mount;

/// <summary>mkdir, getdents, getattr, the EXT4_DAX_FL ioctl and fsync (fs/ext4/namei.c, dir.c, inode.c, ioctl.c, fsync.c).</summary>
internal sealed partial class Ext4Mount
{
    /// <summary>
    /// ext4_mkdir: a new directory inode with one block (ext4_init_new_dir), EXT4_DAX_FL inherited
    /// from the parent. The Orlov allocator that spreads top-level directories over the groups
    /// (find_group_orlov) is not modelled: the inode is the lowest free one, as for a file, and its
    /// block is found from its group's goal.
    /// </summary>
    public Errno Mkdir(string path)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        var parent = image.ResolveParent(path);
        if (!parent.IsOk)
        {
            return parent.Error;
        }

        var (dir, name) = parent.Value;
        if (dir.Entries.ContainsKey(name))
        {
            return Errno.EEXIST;
        }

        var made = image.NewInode(dir.DaxFlag, directory: true);
        if (!made.IsOk)
        {
            return made.Error;
        }

        if (allocator.AllocateMeta(allocator.InodeGoal(made.Value)) is not { } block)
        {
            image.FreeInode(made.Value.Number);
            return Errno.ENOSPC;
        }

        made.Value.DirectoryBlock = block;
        made.Value.Size = Ext4Geometry.BlockSize;
        dir.Entries[name] = made.Value.Number;
        return Errno.Ok;
    }

    /// <summary>ext4_readdir: the directory's entries; -ENOTDIR for a file.</summary>
    public ErrnoOr<IReadOnlyList<DirectoryEntry>> ReadDir(string path)
    {
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<IReadOnlyList<DirectoryEntry>>.Fail(Errno.EIO);
        }

        var dir = image.Resolve(path);
        if (!dir.IsOk)
        {
            return ErrnoOr<IReadOnlyList<DirectoryEntry>>.Fail(dir.Error, dir.Message);
        }

        return dir.Value.IsDirectory
            ? ErrnoOr<IReadOnlyList<DirectoryEntry>>.Ok([.. dir.Value.Entries.Select(e => new DirectoryEntry(e.Key, e.Value, image.Find(e.Value)?.IsDirectory ?? false))])
            : ErrnoOr<IReadOnlyList<DirectoryEntry>>.Fail(Errno.ENOTDIR, $"ext4: '{path}' is not a directory");
    }

    /// <summary>ext4_getattr: st_blocks is i_blocks (data, extent-tree and xattr blocks) in 512-byte units.</summary>
    public ErrnoOr<FileStat> GetAttr(InodeNumber inode)
    {
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<FileStat>.Fail(Errno.EIO);
        }

        if (image.Find(inode) is not { } data)
        {
            return ErrnoOr<FileStat>.Fail(Errno.ENOENT, $"ext4: inode {inode} is free");
        }

        var blocks = data.Tree.Extents.Sum(e => (decimal)e.Length) + data.Tree.NodeBlocks.Count + (data.XattrBlock is null ? 0 : 1)
            + (data.DirectoryBlock is null ? (data.IsDirectory ? data.Size / Ext4Geometry.BlockSize : 0) : 1);
        return ErrnoOr<FileStat>.Ok(new FileStat(data.IsDirectory, new ByteLength(data.Size), (ulong)blocks * (Ext4Geometry.BlockSize / 512), data.DaxFlag));
    }

    /// <summary>
    /// ext4_fileattr_set -&gt; ext4_ioctl_setflags with EXT4_DAX_FL changed: the flag is written; a
    /// regular file under neither dax=always nor dax=never is marked I_DONTCACHE
    /// (ext4_dax_dontcache -&gt; d_mark_dontcache), so S_DAX follows at its next read.
    /// </summary>
    public Errno SetDaxFlag(InodeNumber inode, bool dax)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        if (image.Find(inode) is not { } data)
        {
            return Errno.ENOENT;
        }

        var changed = data.DaxFlag != dax;
        data.DaxFlag = dax;
        if (changed && !data.IsDirectory && Options.Dax is not (DaxMode.Always or DaxMode.Never))
        {
            inodes.MarkDontCache(inode);
        }

        return Errno.Ok;
    }

    /// <summary>
    /// ext4_sync_file: -EIO once shut down (ext4_forced_shutdown); -EROFS on a filesystem that
    /// went read-only after an error (EXT4_MF_FS_ABORTED); else the journal commits.
    /// </summary>
    public Errno Fsync(InodeNumber inode) => Refused() ?? Errno.Ok;
}
