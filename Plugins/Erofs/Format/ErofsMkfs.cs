using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Plugins.Erofs.Format;

/// <summary>
/// mkfs.erofs IMAGE DIR over a one-level source tree, after erofs-utils' lib/inode.c
/// (erofs_mkfs_build_tree), lib/cache.c (the buffer manager) and lib/blobchunk.c:
/// <list type="number">
/// <item>Block 0 holds the superblock at 1024 (EROFS_SUPER_OFFSET) and is the first metadata block.</item>
/// <item>The root directory's inode comes first, right after the superblock (nid 36), with its
/// dirents packed inline when they fit (FLAT_INLINE).</item>
/// <item>Then each file in name order: its data blocks are taken at the end of the image, then its
/// inode (32-byte aligned) goes into the first metadata block with room, with whatever must follow
/// it: the inline tail, the chunk index or the compressed-cluster index.</item>
/// <item>The root's full dirent blocks, if any, are written after the files.</item>
/// <item>Chunk data goes to a blob that is appended last (erofs_blob_remap); a chunk whose bytes
/// equal an earlier chunk's is stored once and shared (erofs_blob_getchunk's SHA-256 table).</item>
/// </list>
/// </summary>
internal static class ErofsMkfs
{
    private const ulong BlockSize = ErofsMkfsOptions.BlockSize;

    /// <summary>EROFS_NAME_LEN.</summary>
    private const int NameMax = 255;

    /// <summary>sizeof(struct erofs_dirent).</summary>
    private const ulong DirentSize = 12;

    /// <summary>The entries every directory starts with.</summary>
    private static readonly string[] DotEntries = [".", ".."];

    /// <summary>Builds the image, or -EINVAL / -ENOSPC naming why not.</summary>
    public static ErrnoOr<ErofsImage> Build(IBlockDevice device, ErofsMkfsOptions options, IReadOnlyList<SourceFile> files)
    {
        foreach (var file in files)
        {
            var name = file.Path.Length > 1 && file.Path[0] == '/' ? file.Path[1..] : "";
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Length > NameMax)
            {
                return ErrnoOr<ErofsImage>.Fail(Errno.EINVAL, $"mkfs.erofs: {file.Path}: the model builds one flat root directory of names up to {NameMax} bytes");
            }

            if (file.Content.Length != file.Size)
            {
                return ErrnoOr<ErofsImage>.Fail(Errno.EINVAL, $"mkfs.erofs: {file.Path}: content of {file.Content.Length} bytes for a size of {file.Size}");
            }
        }

        var image = new ErofsImage(device, options);
        var space = new MetaSpace();
        var sorted = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();

        // The root: its inode right after the superblock, with the dirents inline when they fit.
        var (dirSize, dirBlocks) = DirentLayout(sorted.Select(f => f.Path[1..]));
        var tail = dirSize % BlockSize;
        var rootExtended = options.Inodes == InodeVersionChoice.Extended;
        var rootSize = rootExtended ? 64UL : 32UL;
        var inlineDir = tail > 0 && tail + rootSize <= BlockSize;
        var root = new ErofsInodeData(new InodeNumber(space.Place(rootSize + (inlineDir ? tail : 0)) / 32), "/", isDirectory: true, dirSize, inlineDir ? DataLayout.FlatInline : DataLayout.FlatPlain, rootExtended)
        {
            TailSize = inlineDir ? tail : 0,
        };
        image.Add(root);

        var blob = new ChunkBlob();
        var pclusters = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var file in sorted)
        {
            image.Add(BuildFile(file, options, space, blob, pclusters));
        }

        var rootBlocks = dirBlocks + (inlineDir ? 0UL : tail > 0 ? 1UL : 0UL);
        if (rootBlocks > 0)
        {
            image.RootDirBlocks = (space.TakeData(rootBlocks), rootBlocks);
            root.RawBlkaddr = image.RootDirBlocks.Start;
            root.DataBlocks = rootBlocks;
        }

        // erofs_blob_remap: the chunk blob goes last; chunk addresses were blob-relative.
        var blobStart = space.TakeData(blob.Blocks);
        foreach (var inode in image.Inodes.Where(i => i.Layout == DataLayout.ChunkBased))
        {
            for (var i = 0; i < inode.ChunkBlocks.Count; i++)
            {
                inode.ChunkBlocks[i] += blobStart;
            }
        }

        image.Blocks = space.End;
        if (image.Blocks * BlockSize > device.Size.Value)
        {
            return ErrnoOr<ErofsImage>.Fail(Errno.ENOSPC, $"mkfs.erofs: the image needs {image.Blocks} blocks; {device.Name} has {device.Size.Value / BlockSize}");
        }

        return ErrnoOr<ErofsImage>.Ok(image);
    }

    /// <summary>One regular file: its layout by the options and its size, its data, then its inode.</summary>
    private static ErofsInodeData BuildFile(SourceFile file, ErofsMkfsOptions options, MetaSpace space, ChunkBlob blob, Dictionary<string, ulong> pclusters)
    {
        var size = file.Size.Value;

        // erofs_should_use_inode_extended: i_size past 32 bits needs an extended inode.
        var extended = options.Inodes == InodeVersionChoice.Extended || (options.Inodes == InodeVersionChoice.Auto && size > uint.MaxValue);
        var inodeSize = extended ? 64UL : 32UL;
        var blocks = (size + BlockSize - 1) / BlockSize;
        if (options.Compressor is not null && size > 0)
        {
            return Compressed(file, extended, inodeSize, blocks, options.Dedupe ? pclusters : null, space);
        }

        if (options.ChunkBits is { } bits && size > 0)
        {
            var chunk = 1UL << bits;
            var count = (size + chunk - 1) / chunk;
            var indexLength = count * 4;
            var nid = space.Place(inodeSize + indexLength) / 32;
            var inode = new ErofsInodeData(new InodeNumber(nid), file.Path, isDirectory: false, size, DataLayout.ChunkBased, extended) { Content = file.Content, ChunkBits = bits };
            inode.Index = ((nid * 32) + inodeSize, indexLength);
            for (ulong c = 0; c < count; c++)
            {
                var length = Math.Min(chunk, size - (c * chunk));
                inode.ChunkBlocks.Add(blob.GetChunk(file.Content.Slice(c * chunk, length), length));
            }

            return inode;
        }

        // erofs_write_unencoded_file: the full blocks go to data; a tail is inlined after the
        // inode when allowed and it fits in one metadata block with it, else it takes one more
        // data block (FLAT_PLAIN).
        var tail = size % BlockSize;
        var inline = options.InlineData && tail > 0 && inodeSize + tail <= BlockSize;
        var dataBlocks = inline ? size / BlockSize : blocks;
        var start = dataBlocks > 0 ? space.TakeData(dataBlocks) : 0;
        var placed = space.Place(inodeSize + (inline ? tail : 0));
        return new ErofsInodeData(new InodeNumber(placed / 32), file.Path, isDirectory: false, size, inline ? DataLayout.FlatInline : DataLayout.FlatPlain, extended)
        {
            Content = file.Content,
            RawBlkaddr = start,
            DataBlocks = dataBlocks,
            TailSize = inline ? tail : 0,
        };
    }

    /// <summary>
    /// A compressed file (-z) with full (legacy) cluster indexes: an 8-byte map header and one
    /// 8-byte index per 4 KiB logical cluster after the inode. The model does not run the
    /// compressor: each logical cluster takes one physical cluster (README, "Not modelled"); with
    /// -Ededupe (<paramref name="seen"/> given) a cluster whose bytes equal one stored earlier, in this
    /// file or another, is stored once (the model of z_erofs_dedupe's global table).
    /// </summary>
    private static ErofsInodeData Compressed(SourceFile file, bool extended, ulong inodeSize, ulong clusters, Dictionary<string, ulong>? seen, MetaSpace space)
    {
        var pclusters = new List<ulong>();
        for (ulong c = 0; c < clusters; c++)
        {
            var length = Math.Min(BlockSize, file.Size.Value - (c * BlockSize));
            var key = Key(file.Content.Slice(c * BlockSize, length), length);
            if (seen is not null && seen.TryGetValue(key, out var block))
            {
                pclusters.Add(block);
                continue;
            }

            block = space.TakeData(1);
            seen?.TryAdd(key, block);
            pclusters.Add(block);
        }

        var indexLength = 8 + (clusters * 8);
        var placed = space.Place(inodeSize + indexLength);
        var inode = new ErofsInodeData(new InodeNumber(placed / 32), file.Path, isDirectory: false, file.Size.Value, DataLayout.CompressedFull, extended) { Content = file.Content };
        inode.Index = (placed + inodeSize, indexLength);
        inode.Pclusters.AddRange(pclusters);
        return inode;
    }

    /// <summary>
    /// erofs_prepare_dir_file: ".", ".." and the names in strcmp order, 12-byte dirents plus the
    /// name, never crossing a block. Returns i_size and how many full blocks it covers.
    /// </summary>
    private static (ulong Size, ulong FullBlocks) DirentLayout(IEnumerable<string> names)
    {
        ulong blocks = 0;
        ulong used = 0;
        foreach (var name in DotEntries.Concat(names))
        {
            var need = DirentSize + (ulong)System.Text.Encoding.UTF8.GetByteCount(name);
            if (used + need > BlockSize)
            {
                blocks++;
                used = 0;
            }

            used += need;
        }

        return ((blocks * BlockSize) + used, blocks);
    }

    /// <summary>The identity of a stretch of bytes: equal keys exactly when the bytes are equal.</summary>
    internal static string Key(IReadOnlyList<ContentRun> runs, ulong length) =>
        length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + string.Join("|", runs.Select(r => $"{r.Pattern}@{r.PatternOffset}+{r.Length}"));

    /// <summary>lib/blobchunk.c: the chunk blob and its table of chunks by content.</summary>
    private sealed class ChunkBlob
    {
        private readonly Dictionary<string, ulong> chunks = new(StringComparer.Ordinal);

        /// <summary>Blocks written to the blob so far.</summary>
        public ulong Blocks { get; private set; }

        /// <summary>erofs_blob_getchunk: the blob block of an equal chunk already stored, or of this one appended (padded to a block).</summary>
        public ulong GetChunk(IReadOnlyList<ContentRun> runs, ulong length)
        {
            var key = Key(runs, length);
            if (chunks.TryGetValue(key, out var found))
            {
                return found;
            }

            var start = Blocks;
            chunks[key] = start;
            Blocks += (length + BlockSize - 1) / BlockSize;
            return start;
        }
    }

    /// <summary>
    /// lib/cache.c, as far as the layout needs it: metadata buffers (32-byte aligned inodes) go into
    /// the first metadata block with room, else into new blocks at the end; data takes whole blocks
    /// at the end. Block 0 starts as metadata, holding the superblock.
    /// </summary>
    private sealed class MetaSpace
    {
        private readonly SortedDictionary<ulong, ulong> metaUsed = new() { [0] = ErofsImage.SuperBlockOffset + ErofsImage.SuperBlockSize };

        /// <summary>The first block not yet used.</summary>
        public ulong End { get; private set; } = 1;

        /// <summary>Places a metadata buffer of <paramref name="length"/> bytes; returns its byte offset.</summary>
        public ulong Place(ulong length)
        {
            foreach (var (block, used) in metaUsed.ToList())
            {
                var at = (used + 31) / 32 * 32;
                if (at + length <= BlockSize)
                {
                    metaUsed[block] = at + length;
                    return (block * BlockSize) + at;
                }
            }

            var first = End;
            var count = Math.Max(1, (length + BlockSize - 1) / BlockSize);
            End += count;
            metaUsed[first + count - 1] = length - ((count - 1) * BlockSize);
            return first * BlockSize;
        }

        /// <summary>Takes <paramref name="count"/> data blocks at the end; returns the first.</summary>
        public ulong TakeData(ulong count)
        {
            var first = End;
            End += count;
            return first;
        }
    }
}
