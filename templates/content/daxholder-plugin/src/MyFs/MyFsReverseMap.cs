using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace MyFs;

/// <summary>
/// myfs's reverse map, derived from its on-media state: the metadata (superblock, bitmap, inode
/// table, root directory block) and every file's extents with their file offsets, unwritten ones
/// flagged. Records come in device order; free space has none.
/// </summary>
internal sealed class MyFsReverseMap(MyFsImage image) : IReverseMap
{
    /// <summary>The names <see cref="LocateMetadata"/> understands.</summary>
    public static readonly string[] MetadataNames = ["superblock", "bitmap", "inodes", "root-dir"];

    public IReadOnlyList<RmapRecord> Query(DeviceExtent range) =>
        [.. All().Where(r => r.Extent.Overlaps(range)).OrderBy(r => r.Extent.Start)];

    public ErrnoOr<DeviceExtent> LocateMetadata(string name) =>
        Metadata().FirstOrDefault(m => m.Kind == name) is { Kind: not null } m
            ? ErrnoOr<DeviceExtent>.Ok(Extent(m.Start, m.Count))
            : ErrnoOr<DeviceExtent>.Fail(Errno.ENOENT, $"myfs: no metadata '{name}'; names: {string.Join(", ", MetadataNames)}");

    private IEnumerable<RmapRecord> All()
    {
        foreach (var (kind, start, count) in Metadata())
        {
            yield return new RmapRecord(Extent(start, count), RmapOwner.OfMetadata(kind), null, RmapRecordFlags.None);
        }

        foreach (var inode in image.Inodes)
        {
            foreach (var e in inode.Extents)
            {
                yield return new RmapRecord(Extent(e.Physical, e.Length), RmapOwner.OfInode(inode.Number),
                    new FileOffset(e.Logical * MyFsImage.BlockSize), e.Unwritten ? RmapRecordFlags.Unwritten : RmapRecordFlags.None);
            }
        }
    }

    private IEnumerable<(string Kind, ulong Start, ulong Count)> Metadata() =>
    [
        ("superblock", 0, 1),
        ("bitmap", 1, image.BitmapBlocks),
        ("inodes", image.InodeTableStart, image.InodeTableBlocks),
        ("root-dir", image.RootDirBlock, 1),
    ];

    private DeviceExtent Extent(ulong block, ulong count) => new(image.OffsetOf(block), new ByteLength(count * MyFsImage.BlockSize));
}
