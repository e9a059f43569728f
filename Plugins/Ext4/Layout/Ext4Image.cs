using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>
/// What mkfs.ext4 and later file operations leave on the device between mounts: the static
/// layout, the block bitmaps, the inodes with their extent trees, and the root directory's
/// entries and the directories made under it.
/// </summary>
internal sealed class Ext4Image : IFileSystemImage
{
    private readonly SortedDictionary<ulong, Ext4InodeData> inodes = [];

    public Ext4Image(IBlockDevice device, Ext4Geometry geometry, BlockBitmap bitmap)
    {
        Device = device;
        Geometry = geometry;
        Bitmap = bitmap;
        inodes[Ext4InodeData.Root.Value] = new Ext4InodeData(Ext4InodeData.Root, isDirectory: true) { Size = Ext4Geometry.BlockSize };
        inodes[Ext4InodeData.LostFound.Value] = new Ext4InodeData(Ext4InodeData.LostFound, isDirectory: true) { Size = 4 * Ext4Geometry.BlockSize };
        inodes[Ext4InodeData.Root.Value].Entries["lost+found"] = Ext4InodeData.LostFound;
    }

    public string FileSystemType => "ext4";

    public IBlockDevice Device { get; }

    public IBlockDevice? LogDevice => null;

    public IBlockDevice? RealtimeDevice => null;

    /// <summary>The static layout.</summary>
    public Ext4Geometry Geometry { get; }

    /// <summary>The block bitmaps.</summary>
    public BlockBitmap Bitmap { get; }

    /// <summary>The root directory: name to inode.</summary>
    public SortedDictionary<string, InodeNumber> RootEntries => inodes[Ext4InodeData.Root.Value].Entries;

    /// <summary>
    /// fs/namei.c: path walk from the root ("/a/b"): -ENOENT for a missing name, -ENOTDIR for a
    /// file on the way, -EINVAL for a relative path or one with "." or "..".
    /// </summary>
    public ErrnoOr<Ext4InodeData> Resolve(string path)
    {
        var parent = ResolveParent(path);
        if (!parent.IsOk)
        {
            return path == "/" ? ErrnoOr<Ext4InodeData>.Ok(inodes[Ext4InodeData.Root.Value]) : ErrnoOr<Ext4InodeData>.Fail(parent.Error, parent.Message);
        }

        var (dir, name) = parent.Value;
        return dir.Entries.TryGetValue(name, out var ino)
            ? ErrnoOr<Ext4InodeData>.Ok(inodes[ino.Value])
            : ErrnoOr<Ext4InodeData>.Fail(Errno.ENOENT, $"ext4: no such file '{path}'");
    }

    /// <summary>The existing directory a path's last name is in, and that name.</summary>
    public ErrnoOr<(Ext4InodeData Dir, string Name)> ResolveParent(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            return ErrnoOr<(Ext4InodeData, string)>.Fail(Errno.EINVAL, $"ext4: '{path}' is not an absolute path");
        }

        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0 || names.Any(n => n is "." or ".."))
        {
            return ErrnoOr<(Ext4InodeData, string)>.Fail(names.Length == 0 ? Errno.EEXIST : Errno.EINVAL, $"ext4: '{path}' names no new entry");
        }

        var at = inodes[Ext4InodeData.Root.Value];
        foreach (var name in names[..^1])
        {
            if (!at.Entries.TryGetValue(name, out var ino))
            {
                return ErrnoOr<(Ext4InodeData, string)>.Fail(Errno.ENOENT, $"ext4: no such directory '{name}' in '{path}'");
            }

            at = inodes[ino.Value];
            if (!at.IsDirectory)
            {
                return ErrnoOr<(Ext4InodeData, string)>.Fail(Errno.ENOTDIR, $"ext4: '{name}' in '{path}' is not a directory");
            }
        }

        return ErrnoOr<(Ext4InodeData, string)>.Ok((at, names[^1]));
    }

    /// <summary>The regular files and directories in use, by number (the reserved inodes 1-10 other than the root are implied).</summary>
    public IEnumerable<Ext4InodeData> Inodes => inodes.Values;

    /// <summary>An inode in use, or null.</summary>
    public Ext4InodeData? Find(InodeNumber number) => inodes.GetValueOrDefault(number.Value);

    /// <summary>
    /// fs/ext4/ialloc.c: __ext4_new_inode with find_group_other: a file goes in its parent's
    /// group (the root's, group 0) if it has a free inode, else the next group with one; the
    /// lowest free inode there.
    /// </summary>
    public ErrnoOr<Ext4InodeData> NewInode(bool dax, bool directory = false)
    {
        var perGroup = (ulong)Geometry.InodesPerGroup;
        var total = perGroup * Geometry.GroupCount;
        for (var ino = (ulong)Ext4Geometry.FirstInode + 1; ino <= total; ino++)
        {
            if (!inodes.ContainsKey(ino))
            {
                var data = new Ext4InodeData(new InodeNumber(ino), directory) { DaxFlag = dax };
                inodes[ino] = data;
                return ErrnoOr<Ext4InodeData>.Ok(data);
            }
        }

        return ErrnoOr<Ext4InodeData>.Fail(Errno.ENOSPC, "ext4: no free inode");
    }

    /// <summary>ext4_free_inode: the inode bit is cleared.</summary>
    public void FreeInode(InodeNumber number) => inodes.Remove(number.Value);

    /// <summary>The disk offset of a block (the device may be a partition).</summary>
    public DeviceOffset OffsetOf(ulong block) => Device.Start.Add(new ByteLength(block * Ext4Geometry.BlockSize));
}
