using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Erofs.Format;

/// <summary>include/uapi erofs_fs.h: EROFS_INODE_FLAT_PLAIN .. EROFS_INODE_CHUNK_BASED (i_format bits 1-3).</summary>
internal enum DataLayout
{
    /// <summary>EROFS_INODE_FLAT_PLAIN (0): contiguous blocks from raw_blkaddr.</summary>
    FlatPlain = 0,

    /// <summary>EROFS_INODE_COMPRESSED_FULL (1): compressed, one 8-byte index per logical cluster.</summary>
    CompressedFull = 1,

    /// <summary>EROFS_INODE_FLAT_INLINE (2): contiguous blocks, the tail packed after the inode in its metadata block.</summary>
    FlatInline = 2,

    /// <summary>EROFS_INODE_CHUNK_BASED (4): a chunk index (block map) after the inode.</summary>
    ChunkBased = 4,
}

/// <summary>
/// One on-disk inode of the image and where its parts lie: the inode itself in the metadata area
/// (nid = byte offset / 32, meta_blkaddr being 0), its data blocks, an inline tail, a chunk index
/// or a compressed-cluster index. Positions are byte offsets from the start of the device.
/// </summary>
internal sealed class ErofsInodeData(InodeNumber nid, string path, bool isDirectory, ulong size, DataLayout layout, bool extended)
{
    /// <summary>The nid, which is also i_ino (erofs_squash_ino on 64-bit).</summary>
    public InodeNumber Nid { get; } = nid;

    /// <summary>"/a", or "/" for the root directory.</summary>
    public string Path { get; } = path;

    public bool IsDirectory { get; } = isDirectory;

    /// <summary>i_size.</summary>
    public ulong Size { get; } = size;

    public DataLayout Layout { get; } = layout;

    /// <summary>An extended (64-byte) inode rather than a compact (32-byte) one.</summary>
    public bool Extended { get; } = extended;

    /// <summary>The on-disk inode's size: sizeof(erofs_inode_compact) 32 or sizeof(erofs_inode_extended) 64.</summary>
    public ulong InodeSize => Extended ? 64UL : 32UL;

    /// <summary>erofs_iloc: where the inode starts.</summary>
    public ulong Location => Nid.Value * 32;

    /// <summary>raw_blkaddr of a flat file: its first data block (0 with no blocks).</summary>
    public ulong RawBlkaddr { get; set; }

    /// <summary>Data blocks of a flat file (for FLAT_INLINE, the blocks before the tail).</summary>
    public ulong DataBlocks { get; set; }

    /// <summary>FLAT_INLINE: the tail's length, stored right after the inode.</summary>
    public ulong TailSize { get; set; }

    /// <summary>The byte offset of the inline tail (after the inode; no xattrs in the model).</summary>
    public ulong TailLocation => Location + InodeSize;

    /// <summary>CHUNK_BASED: log2 of the chunk size.</summary>
    public int ChunkBits { get; set; }

    /// <summary>CHUNK_BASED: the first block of each chunk (a block map, EROFS_BLOCK_MAP_ENTRY_SIZE 4 bytes each).</summary>
    public List<ulong> ChunkBlocks { get; } = [];

    /// <summary>Compressed: the physical cluster (one block) of each 4 KiB logical cluster.</summary>
    public List<ulong> Pclusters { get; } = [];

    /// <summary>The chunk or compressed-cluster index after the inode: offset and length in bytes (0 for none).</summary>
    public (ulong Offset, ulong Length) Index { get; set; }

    /// <summary>The file's content (null for the root directory).</summary>
    public FileContent? Content { get; init; }

    /// <summary>Whether the data is compressed (never mapped into user space by DAX).</summary>
    public bool IsCompressed => Layout == DataLayout.CompressedFull;

    /// <summary>The chunk size in bytes.</summary>
    public ulong ChunkSize => 1UL << ChunkBits;
}
