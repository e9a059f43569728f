using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Ext4.Layout;

namespace DaxHolder.Plugins.Ext4.Failure;

/// <summary>
/// ext4 has no reverse-map btree; the model derives one from the static layout (superblocks,
/// GDTs, reserved GDT blocks, bitmaps, inode tables, directories, the resize inode's block, the
/// journal) and every file's extent tree (data extents with their file offsets, unwritten ones
/// flagged; index and leaf blocks as the inode's RmapRecordFlags.BmbtBlock records, kind
/// "extent block"). Records come in device order. Free space has no record.
/// </summary>
internal sealed class Ext4ReverseMap(Ext4Image image) : IReverseMap
{
    private const ulong BlockSize = Ext4Geometry.BlockSize;

    public IReadOnlyList<RmapRecord> Query(DeviceExtent range)
    {
        var start = image.Device.Start.Value;
        if (range.Length.Value == 0 || range.End.Value <= start)
        {
            return [];
        }

        var from = (Math.Max(range.Start.Value, start) - start) / BlockSize;
        var end = range.End.Value - start;                       // rounded up without overflowing at U64_MAX
        var to = (end / BlockSize) + (end % BlockSize == 0 ? 0UL : 1UL);
        return [.. All(from, to).Where(r => r.Start < to && from < r.Start + r.Count).OrderBy(r => r.Start).ThenBy(r => r.Order).Select(ToRecord)];
    }

    public ErrnoOr<DeviceExtent> LocateMetadata(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var g = image.Geometry;
        var parts = name.Split(' ', 2, StringSplitOptions.TrimEntries);
        var kind = parts[0];
        var argument = parts.Length > 1 ? parts[1] : null;
        var group = argument is not null && uint.TryParse(argument, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n < g.GroupCount ? g.Group(n) : null;
        var found = (kind, argument, group) switch
        {
            ("sb", null, _) => Static("superblock", 0),
            ("sb", _, { HasSuperBlock: true } gl) => Static("superblock", gl.Group),
            ("gdt", _, { HasSuperBlock: true } gl) => Static("gdt", gl.Group),
            ("reserved-gdt", _, { HasSuperBlock: true } gl) => Static("reserved gdt", gl.Group),
            ("block-bitmap", _, { } gl) => (gl.BlockBitmap, 1UL),
            ("inode-bitmap", _, { } gl) => (gl.InodeBitmap, 1UL),
            ("inode-table", _, { } gl) => (gl.InodeTable, g.InodeTableBlocks),
            ("journal", null, _) => (g.JournalStart, g.JournalBlocks),
            ("root-dir", null, _) => (g.RootDirBlock, 1UL),
            ("lost+found", null, _) => (g.LostFoundStart, 4UL),
            ("extent-block", { } path, _) => ExtentBlock(path),
            ("xattr-block", { } path, _) => XattrBlock(path),
            _ => ((ulong, ulong)?)null,
        };

        return found is { } f
            ? ErrnoOr<DeviceExtent>.Ok(new DeviceExtent(image.OffsetOf(f.Item1), new ByteLength(f.Item2 * BlockSize)))
            : ErrnoOr<DeviceExtent>.Fail(Errno.ENOENT, $"ext4: no metadata '{name}'; names: sb, sb <group>, gdt <group>, reserved-gdt <group> (groups with a superblock: {string.Join(",", Enumerable.Range(0, (int)g.GroupCount).Where(x => g.HasSuperBlock((uint)x)))}), block-bitmap <group>, inode-bitmap <group>, inode-table <group> (groups 0-{g.GroupCount - 1}), journal, root-dir, lost+found, extent-block /<file> (its first extent tree block), xattr-block /<file> (its external xattr block)");
    }

    private (ulong, ulong)? Static(string kind, uint group) =>
        image.Geometry.FindMetadata(kind, group) is { } m && image.Geometry.GroupOf(m.Start) == group ? (m.Start, m.Count) : null;

    private (ulong, ulong)? ExtentBlock(string path) =>
        image.Resolve(path) is { IsOk: true } found
        && found.Value.Tree.NodeBlocks is { Count: > 0 } nodes ? (nodes[0].Block, 1UL) : null;

    private (ulong, ulong)? XattrBlock(string path) =>
        image.Resolve(path) is { IsOk: true } found
        && found.Value.XattrBlock is { } block ? (block, 1UL) : null;

    /// <summary>
    /// The records that may overlap blocks [from, to), unsorted: the static metadata there (looked up
    /// in its runs), then per inode (in number order) its data extents, tree blocks and xattr block.
    /// </summary>
    private IEnumerable<Row> All(ulong from, ulong to)
    {
        var order = 0;
        foreach (var m in image.Geometry.MetadataIn(from, to))
        {
            yield return new Row(m.Start, m.Count, RmapOwner.OfMetadata(m.Kind), null, RmapRecordFlags.None, order++);
        }

        foreach (var dir in image.Inodes.Where(i => i.DirectoryBlock is not null))
        {
            yield return new Row(dir.DirectoryBlock!.Value, 1, RmapOwner.OfMetadata("directory " + dir.Number), null, RmapRecordFlags.None, order++);
        }

        foreach (var inode in image.Inodes.Where(i => !i.IsDirectory))
        {
            foreach (var e in inode.Tree.Extents)
            {
                yield return new Row(e.Physical, e.Length, RmapOwner.OfInode(inode.Number), new FileOffset(e.Logical * BlockSize), e.Unwritten ? RmapRecordFlags.Unwritten : RmapRecordFlags.None, order++);
            }

            foreach (var (block, _) in inode.Tree.NodeBlocks)
            {
                yield return new Row(block, 1, RmapOwner.OfInode(inode.Number), null, RmapRecordFlags.BmbtBlock, order++);
            }

            if (inode.XattrBlock is { } xattr)
            {
                yield return new Row(xattr, 1, RmapOwner.OfInode(inode.Number), null, RmapRecordFlags.AttrFork, order++);
            }
        }
    }

    private RmapRecord ToRecord(Row row) =>
        new(new DeviceExtent(image.OffsetOf(row.Start), new ByteLength(row.Count * BlockSize)), row.Owner, row.FileOffset, row.Flags);

    private sealed record Row(ulong Start, ulong Count, RmapOwner Owner, FileOffset? FileOffset, RmapRecordFlags Flags, int Order);
}
