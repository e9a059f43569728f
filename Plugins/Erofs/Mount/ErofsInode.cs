using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Erofs.Format;

namespace DaxHolder.Plugins.Erofs.Mount;

/// <summary>An in-core EROFS inode (struct erofs_inode around struct inode).</summary>
internal sealed class ErofsInode(ErofsInodeData data, IAddressSpace mapping) : CachedInode(mapping)
{
    /// <summary>The on-disk inode.</summary>
    public ErofsInodeData Data { get; } = data;

    public override InodeNumber Number => Data.Nid;

    public override ByteLength Size => new(Data.Size);
}
