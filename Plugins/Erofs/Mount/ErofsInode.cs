using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Erofs.Format;

namespace DaxHolder.Plugins.Erofs.Mount;

/// <summary>An in-core EROFS inode (struct erofs_inode around struct inode).</summary>
internal sealed class ErofsInode(ErofsInodeData data, IAddressSpace mapping) : IInode
{
    /// <summary>The on-disk inode.</summary>
    public ErofsInodeData Data { get; } = data;

    public InodeNumber Number => Data.Nid;

    public ByteLength Size => new(Data.Size);

    public IAddressSpace Mapping { get; } = mapping;

    public int ReferenceCount => References;

    /// <summary>i_count.</summary>
    public int References { get; set; }
}
