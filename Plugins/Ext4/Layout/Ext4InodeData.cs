using DaxHolder.Abstractions;
using DaxHolder.Plugins.Ext4.Extents;

namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>struct ext4_inode as the model keeps it on the media: its number, kind, size, EXT4_DAX_FL, extent tree and extended attributes.</summary>
internal sealed class Ext4InodeData(InodeNumber number, bool isDirectory)
{
    /// <summary>EXT4_ROOT_INO.</summary>
    public static readonly InodeNumber Root = new(2);

    /// <summary>EXT4_RESIZE_INO.</summary>
    public static readonly InodeNumber Resize = new(7);

    /// <summary>EXT4_JOURNAL_INO.</summary>
    public static readonly InodeNumber Journal = new(8);

    /// <summary>lost+found, the first non-reserved inode (EXT4_GOOD_OLD_FIRST_INO).</summary>
    public static readonly InodeNumber LostFound = new(11);

    /// <summary>i_ino.</summary>
    public InodeNumber Number { get; } = number;

    /// <summary>S_ISDIR.</summary>
    public bool IsDirectory { get; } = isDirectory;

    /// <summary>i_size.</summary>
    public ulong Size { get; set; }

    /// <summary>EXT4_DAX_FL (FS_XFLAG_DAX), which dax=inode honours.</summary>
    public bool DaxFlag { get; set; }

    /// <summary>The extent tree rooted in i_block.</summary>
    public ExtentTree Tree { get; } = new();

    /// <summary>Extended attributes: full name to value length and whether it lives in the external block.</summary>
    public SortedDictionary<string, (ulong Length, bool InBlock)> Xattrs { get; } = new(StringComparer.Ordinal);

    /// <summary>i_file_acl: the external xattr block, or null.</summary>
    public ulong? XattrBlock { get; set; }

    /// <summary>A directory's entries, name to inode (ext4_add_entry; getdents lists them, and the model sorts them by name).</summary>
    public SortedDictionary<string, InodeNumber> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>A directory made by mkdir: its one data block (ext4_init_new_dir), or null (the root and lost+found are mkfs's).</summary>
    public ulong? DirectoryBlock { get; set; }

    /// <summary>The block group the inode lives in.</summary>
    public uint GroupOf(uint inodesPerGroup) => (uint)((Number.Value - 1) / inodesPerGroup);
}
