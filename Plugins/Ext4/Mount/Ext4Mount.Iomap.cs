using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Ext4.Extents;
using DaxHolder.Plugins.Ext4.Layout;

namespace DaxHolder.Plugins.Ext4.Mount;

/// <summary>
/// fs/ext4/inode.c: ext4_iomap_begin / ext4_iomap_end (ext4_iomap_ops), which dax_iomap_rw and
/// the DAX fault handlers call. A read maps one extent or hole; a write maps written blocks as they
/// are, and otherwise ext4_iomap_alloc maps with EXT4_GET_BLOCKS_CREATE_ZERO: a hole gets new
/// (zeroed) blocks, an unwritten extent is converted, both reported IOMAP_F_NEW.
/// </summary>
internal sealed partial class Ext4Mount : IIomapOps
{
    public ErrnoOr<IomapResult> IomapBegin(InodeNumber inode, FileOffset position, ByteLength length, IomapRequest request)
    {
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EIO);
        }

        if (image.Find(inode) is not { IsDirectory: false } data)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EIO, $"ext4: iomap_begin on inode {inode}, which is not a regular file");
        }

        var first = position.Value / BlockSize;
        var count = Math.Max(1, ((position.Value + length.Value + BlockSize - 1) / BlockSize) - first);
        var existing = data.Tree.Find(first);
        if ((request & IomapRequest.Write) == 0 || existing is { Unwritten: false })
        {
            return ErrnoOr<IomapResult>.Ok(new IomapResult(Report(data, first, count, existing)));
        }

        if (Refused() is { } refused)
        {
            return ErrnoOr<IomapResult>.Fail(refused);
        }

        var made = existing is { } unwritten ? Convert(data, unwritten, first, count) : AllocateExtent(data, first, HoleLength(data, first, count), unwritten: false);
        return made.IsOk
            ? ErrnoOr<IomapResult>.Ok(new IomapResult(MapOf(made.Value, IomapType.Mapped, IomapMappingFlags.New)))
            : ErrnoOr<IomapResult>.Fail(made.Error, made.Message);
    }

    /// <summary>ext4_iomap_end: nothing to finish for DAX (no unwritten conversion at I/O end).</summary>
    public Errno IomapEnd(InodeNumber inode, FileOffset position, ByteLength length, ByteLength written, IomapRequest request, Iomap map) => Errno.Ok;

    /// <summary>ext4_map_blocks without create: the extent (mapped or unwritten) or hole at <paramref name="first"/>, at most <paramref name="count"/> blocks.</summary>
    private Iomap Report(Ext4InodeData data, ulong first, ulong count, Extent? existing)
    {
        if (existing is { } e)
        {
            var piece = e.Clip(first, first + count)!.Value;
            return MapOf(piece, e.Unwritten ? IomapType.Unwritten : IomapType.Mapped, IomapMappingFlags.None);
        }

        var hole = HoleLength(data, first, count);
        return new Iomap(new FileOffset(first * BlockSize), new ByteLength(hole * BlockSize), IomapType.Hole, IomapMappingFlags.None, null, DaxDevice);
    }

    /// <summary>
    /// ext4_ext_convert_to_initialized for [first, first+count) inside an unwritten extent: the
    /// written middle is split out (and merged with written neighbours where ext4 would).
    /// Not modelled: the max_zeroout shortcut that zeroes small unwritten remainders instead.
    /// </summary>
    private ErrnoOr<Extent> Convert(Ext4InodeData data, Extent unwritten, ulong first, ulong count)
    {
        var written = unwritten.Clip(first, first + count)!.Value with { Unwritten = false };
        var pieces = new[] { unwritten.Clip(unwritten.Logical, first), written, unwritten.Clip(written.End, unwritten.End) };
        var replaced = data.Tree.Replace(unwritten, [.. pieces.Where(p => p is not null).Select(p => p!.Value)], TreeBlocks(data));
        return replaced == Errno.Ok ? ErrnoOr<Extent>.Ok(written) : ErrnoOr<Extent>.Fail(replaced, "ext4: no space for the extent tree");
    }

    /// <summary>
    /// ext4_ext_map_blocks with create: up to <paramref name="wanted"/> blocks for file block
    /// <paramref name="logical"/> from the allocator, near ext4_ext_find_goal's goal, inserted as
    /// one extent (at most EXT_INIT_MAX_LEN, or EXT_UNWRITTEN_MAX_LEN if unwritten).
    /// </summary>
    private ErrnoOr<Extent> AllocateExtent(Ext4InodeData data, ulong logical, ulong wanted, bool unwritten)
    {
        var goal = data.Tree.GoalFor(logical) ?? allocator.InodeGoal(data);
        var max = unwritten ? Extent.UnwrittenMaxLength : Extent.InitMaxLength;
        if (allocator.AllocateData(goal, Math.Min(wanted, max)) is not { } run)
        {
            return ErrnoOr<Extent>.Fail(Errno.ENOSPC, "ext4: no free blocks");
        }

        var extent = new Extent(logical, run.Start, run.Count, unwritten);
        var inserted = data.Tree.Insert(extent, TreeBlocks(data));
        if (inserted != Errno.Ok)
        {
            allocator.Free(run.Start, run.Count);
            return ErrnoOr<Extent>.Fail(inserted, "ext4: no space for the extent tree");
        }

        return ErrnoOr<Extent>.Ok(extent);
    }

    private static ulong HoleLength(Ext4InodeData data, ulong first, ulong count) =>
        Math.Min(count, (data.Tree.NextMappedAfter(first) ?? ulong.MaxValue) - first);

    private Iomap MapOf(Extent extent, IomapType type, IomapMappingFlags flags) =>
        new(new FileOffset(extent.Logical * BlockSize), new ByteLength(extent.Length * BlockSize), type, flags, image.OffsetOf(extent.Physical), DaxDevice);

    private TreeBlockSource TreeBlocks(Ext4InodeData data) => new(allocator, allocator.InodeGoal(data));

    /// <summary>Extent tree node blocks: ext4_ext_new_meta_block from the allocator, ext4_free_blocks back to it.</summary>
    private sealed class TreeBlockSource(Ext4Allocator allocator, ulong inodeGoal) : IMetaBlockSource
    {
        public ulong InodeGoal => inodeGoal;

        public ulong? Allocate(ulong goal) => allocator.AllocateMeta(goal);

        public void Free(ulong block) => allocator.Free(block, 1);
    }
}
