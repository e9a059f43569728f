using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Erofs.Format;

namespace DaxHolder.Plugins.Erofs.Mount;

/// <summary>
/// fs/erofs/data.c: erofs_iomap_begin over erofs_map_blocks. It never sets IOMAP_F_SHARED, not even
/// for a deduplicated chunk that several files point at, so fs/dax.c associates such a page with
/// whichever file faulted it last (fs/dax.c: dax_associate_entry()). Past i_size the range is a
/// hole; a flat file's blocks map from raw_blkaddr; a FLAT_INLINE tail is IOMAP_INLINE (the model
/// puts the tail's device position in the address, where the kernel hands a pointer into the
/// metadata page); a chunk maps one chunk at a time from the chunk index. Compressed files report
/// their physical cluster (z_erofs_iomap_begin_report, for fiemap). A write is refused with -EROFS.
/// </summary>
internal sealed partial class ErofsMount : IIomapOps
{
    private const ulong BlockSize = ErofsMkfsOptions.BlockSize;

    public ErrnoOr<IomapResult> IomapBegin(InodeNumber inode, FileOffset position, ByteLength length, IomapRequest request)
    {
        if (image.Find(inode) is not { IsDirectory: false } data)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EIO, $"erofs: iomap_begin on nid {inode}, which is not a regular file");
        }

        if ((request & IomapRequest.Write) != 0)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EROFS, "erofs: read-only filesystem");
        }

        var pos = position.Value;
        var wanted = Math.Max(1, length.Value);
        if (pos >= data.Size)
        {
            return Map(pos, wanted, IomapType.Hole, null);
        }

        switch (data.Layout)
        {
            case DataLayout.ChunkBased:
                var chunk = pos >> data.ChunkBits;
                var chunkStart = chunk << data.ChunkBits;
                var chunkLength = Math.Min(data.ChunkSize, (data.Size - chunkStart + BlockSize - 1) / BlockSize * BlockSize);
                return Map(pos, chunkStart + chunkLength - pos, IomapType.Mapped, (data.ChunkBlocks[(int)chunk] * BlockSize) + (pos - chunkStart));
            case DataLayout.CompressedFull:
                var cluster = pos / BlockSize;
                return Map(cluster * BlockSize, BlockSize, IomapType.Mapped, data.Pclusters[(int)cluster] * BlockSize);
            default:
                var flatEnd = data.DataBlocks * BlockSize;
                return pos < flatEnd
                    ? Map(pos, flatEnd - pos, IomapType.Mapped, (data.RawBlkaddr * BlockSize) + pos)
                    : Map(pos, data.Size - pos, IomapType.Inline, data.TailLocation + (pos - flatEnd));
        }
    }

    /// <summary>erofs_iomap_end: nothing to finish.</summary>
    public Errno IomapEnd(InodeNumber inode, FileOffset position, ByteLength length, ByteLength written, IomapRequest request, Iomap map) => Errno.Ok;

    private ErrnoOr<IomapResult> Map(ulong offset, ulong length, IomapType type, ulong? position) =>
        ErrnoOr<IomapResult>.Ok(new IomapResult(new Iomap(new FileOffset(offset), new ByteLength(length), type, IomapMappingFlags.None, position is { } p ? image.OffsetOf(p) : null, DaxDevice)));
}
