using DaxHolder.Abstractions;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>Paths and directories: short-form directories whose entries live in the inode.</summary>
internal sealed partial class XfsFileOperations
{
    /// <summary>The inode at an absolute path ("/a/b").</summary>
    public ErrnoOr<XfsDinode> Resolve(string path)
    {
        var names = Split(path);
        if (!names.IsOk)
        {
            return ErrnoOr<XfsDinode>.Fail(names.Error, names.Message);
        }

        var at = Image.Inodes[Image.RootIno];
        foreach (var name in names.Value)
        {
            if (!at.IsDirectory || !at.Entries.TryGetValue(name, out var ino))
            {
                return ErrnoOr<XfsDinode>.Fail(Errno.ENOENT, $"xfs: no such file '{path}'");
            }

            at = Image.Inodes[ino];
        }

        return ErrnoOr<XfsDinode>.Ok(at);
    }

    /// <summary>The path components; -EINVAL for a relative path or "." and "..".</summary>
    private static ErrnoOr<string[]> Split(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            return ErrnoOr<string[]>.Fail(Errno.EINVAL, $"xfs: '{path}' is not an absolute path");
        }

        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (names.Any(n => n is "." or ".."))
        {
            return ErrnoOr<string[]>.Fail(Errno.EINVAL, $"xfs: '{path}' has . or .. in it");
        }

        return ErrnoOr<string[]>.Ok(names);
    }

    /// <summary>The entry <paramref name="name"/> of a directory, made as a directory if missing (xfs_mkdir).</summary>
    private ErrnoOr<XfsDinode> Child(XfsDinode parent, string name, bool directory)
    {
        if (parent.Entries.TryGetValue(name, out var ino))
        {
            var existing = Image.Inodes[ino];
            return existing.IsDirectory == directory
                ? ErrnoOr<XfsDinode>.Ok(existing)
                : ErrnoOr<XfsDinode>.Fail(Errno.ENOENT, $"xfs: '{name}' is not a directory");
        }

        var made = NewInode(parent, name, directory);
        if (made.IsOk)
        {
            parent.Nlink++;
            mount.Cache.Grab(made.Value.Ino);
        }

        return made;
    }

    /// <summary>xfs_dialloc + xfs_init_new_inode + xfs_dir_createname.</summary>
    private ErrnoOr<XfsDinode> NewInode(XfsDinode parent, string name, bool directory)
    {
        var ino = XfsIalloc.Dialloc(Image, parent.Ino, directory, ref mount.DirectoryRotor);
        if (!ino.IsOk)
        {
            return ErrnoOr<XfsDinode>.Fail(ino.Error, ino.Message);
        }

        // xfs_init_new_inode -> xfs_inode_inherit_flags2: XFS_DIFLAG2_DAX passes from the parent to files and directories.
        var dinode = new XfsDinode(ino.Value, directory, Image.Geometry.AgBlkLog) { Nlink = directory ? 2u : 1u, DaxFlag = parent.DaxFlag };
        Image.Inodes[ino.Value] = dinode;
        parent.Entries[name] = ino.Value;
        return ErrnoOr<XfsDinode>.Ok(dinode);
    }
}
