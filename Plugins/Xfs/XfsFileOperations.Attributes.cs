using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Xfs.Format;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>mkdir, getdents, getattr, FS_IOC_FSSETXATTR's DAX flag and fsync (fs/xfs/xfs_iops.c, xfs_ioctl.c, xfs_file.c).</summary>
internal sealed partial class XfsFileOperations
{
    /// <summary>xfs_vn_mkdir -&gt; xfs_create(S_IFDIR): the parent must exist and be a directory.</summary>
    public Errno Mkdir(string path)
    {
        var parent = Parent(path);
        if (!parent.IsOk)
        {
            return parent.Error;
        }

        var (dir, name) = parent.Value;
        if (dir.Entries.ContainsKey(name))
        {
            return Errno.EEXIST;
        }

        var made = NewInode(dir, name, directory: true);
        if (!made.IsOk)
        {
            return made.Error;
        }

        dir.Nlink++;
        var cached = mount.Cache.Grab(made.Value.Ino);
        return cached.IsOk ? Errno.Ok : cached.Error;
    }

    /// <summary>xfs_readdir of a short-form directory: its entries.</summary>
    public ErrnoOr<IReadOnlyList<DirectoryEntry>> ReadDir(string path)
    {
        if (mount.IsShutdown)
        {
            return ErrnoOr<IReadOnlyList<DirectoryEntry>>.Fail(Errno.EIO, "xfs: the filesystem is shut down");
        }

        var dir = Resolve(path);
        if (!dir.IsOk)
        {
            return ErrnoOr<IReadOnlyList<DirectoryEntry>>.Fail(dir.Error, dir.Message);
        }

        if (!dir.Value.IsDirectory)
        {
            return ErrnoOr<IReadOnlyList<DirectoryEntry>>.Fail(Errno.ENOTDIR, $"xfs: '{path}' is not a directory");
        }

        return ErrnoOr<IReadOnlyList<DirectoryEntry>>.Ok([.. dir.Value.Entries.Select(e => new DirectoryEntry(e.Key, new InodeNumber(e.Value), Image.Inodes[e.Value].IsDirectory))]);
    }

    /// <summary>
    /// xfs_vn_getattr: st_blocks is (i_nblocks + i_delayed_blks) in 512-byte units, i_nblocks
    /// counting the data and attribute forks' blocks and the bmbt blocks (no delayed allocation here).
    /// </summary>
    public ErrnoOr<FileStat> GetAttr(InodeNumber inode)
    {
        if (mount.IsShutdown)
        {
            return ErrnoOr<FileStat>.Fail(Errno.EIO, "xfs: the filesystem is shut down");
        }

        if (!Image.Inodes.TryGetValue(inode.Value, out var ip))
        {
            return ErrnoOr<FileStat>.Fail(Errno.ENOENT, $"xfs: inode {inode} is free");
        }

        var blocks = ip.DataFork.Extents.Sum(e => (decimal)e.BlockCount) + ip.AttrFork.Extents.Sum(e => (decimal)e.BlockCount) + ip.BmbtBlocks.Count;
        return ErrnoOr<FileStat>.Ok(new FileStat(ip.IsDirectory, new ByteLength(ip.Size), (ulong)blocks << (XfsGeometry.BlockLog - 9), ip.DaxFlag));
    }

    /// <summary>
    /// xfs_fileattr_set with FS_XFLAG_DAX changed: on ≤6.1 -EINVAL for a reflinked file
    /// (xfs_ioctl_setattr_xflags: "Don't allow us to set DAX mode for a reflinked file"); the flag
    /// is written; under dax=inode a regular file whose flag changed is marked I_DONTCACHE
    /// (xfs_ioctl_setattr_prepare_dax -&gt; d_mark_dontcache), so S_DAX follows at its next read.
    /// </summary>
    public Errno SetDaxFlag(InodeNumber inode, bool dax)
    {
        if (mount.IsShutdown)
        {
            return Errno.EIO;
        }

        if (!Image.Inodes.TryGetValue(inode.Value, out var ip))
        {
            return Errno.ENOENT;
        }

        if (dax && ip.Reflink && mount.Kernel.Profile.Has(KernelFeature.ReflinkedInodesNotDax))
        {
            return Errno.EINVAL;
        }

        var changed = ip.DaxFlag != dax;
        ip.DaxFlag = dax;
        if (changed && !ip.IsDirectory && mount.DaxMode == XfsDaxMode.Inode)
        {
            mount.Cache.MarkDontCache(ip.Ino);
        }

        return Errno.Ok;
    }

    /// <summary>xfs_file_fsync: -EIO once shut down; else the log is forced (nothing the model keeps).</summary>
    public Errno Fsync(InodeNumber inode) => mount.IsShutdown ? Errno.EIO : Errno.Ok;

    /// <summary>The existing parent directory of a path and the last name: -ENOENT or -ENOTDIR on the way.</summary>
    private ErrnoOr<(XfsDinode Dir, string Name)> Parent(string path)
    {
        if (mount.IsShutdown)
        {
            return ErrnoOr<(XfsDinode, string)>.Fail(Errno.EIO, "xfs: the filesystem is shut down");
        }

        var names = Split(path);
        if (!names.IsOk || names.Value.Length == 0)
        {
            return ErrnoOr<(XfsDinode, string)>.Fail(names.IsOk ? Errno.EEXIST : names.Error, names.Message);
        }

        var at = Image.Inodes[Image.RootIno];
        foreach (var name in names.Value[..^1])
        {
            if (!at.Entries.TryGetValue(name, out var ino))
            {
                return ErrnoOr<(XfsDinode, string)>.Fail(Errno.ENOENT, $"xfs: no such directory '{name}' in '{path}'");
            }

            at = Image.Inodes[ino];
            if (!at.IsDirectory)
            {
                return ErrnoOr<(XfsDinode, string)>.Fail(Errno.ENOTDIR, $"xfs: '{name}' in '{path}' is not a directory");
            }
        }

        return ErrnoOr<(XfsDinode, string)>.Ok((at, names.Value[^1]));
    }
}
