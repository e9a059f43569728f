using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Ext4.Layout;

namespace DaxHolder.Plugins.Ext4.Mount;

/// <summary>An in-core ext4 inode (struct ext4_inode_info around struct inode).</summary>
internal sealed class Ext4Inode(Ext4InodeData data, IAddressSpace mapping) : CachedInode(mapping)
{
    /// <summary>The on-media inode.</summary>
    public Ext4InodeData Data { get; } = data;

    public override InodeNumber Number => Data.Number;

    public override ByteLength Size => new(Data.Size);

    /// <summary>i_nlink reached 0 (unlinked while referenced): freed at the last iput.</summary>
    public bool Orphan { get; set; }
}
