using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Erofs.Format;

namespace DaxHolder.Plugins.Erofs.Failure;

/// <summary>
/// EROFS has no reverse map; the model derives one from the image: the superblock, every inode
/// in the metadata area ("inode /a"), the root's dirents ("directory /"), chunk and compressed
/// indexes ("chunk index /a", "compressed index /a"), and file data as inode records with their
/// file offsets: flat extents, inline tails (file data inside a metadata block), chunks and
/// compressed clusters. A deduplicated chunk has one record per file that points at it, so the
/// rmap lists every sharer. Records are byte-exact and come in device order, then in the order
/// mkfs wrote them; free space has no record.
/// </summary>
internal sealed class ErofsReverseMap(ErofsImage image) : IReverseMap
{
    private const ulong BlockSize = ErofsMkfsOptions.BlockSize;

    private readonly Lazy<IReadOnlyList<Row>> rows = new(() => [.. All(image).OrderBy(r => r.Start).ThenBy(r => r.Order)]);

    public IReadOnlyList<RmapRecord> Query(DeviceExtent range)
    {
        var start = image.Device.Start.Value;
        if (range.Length.Value == 0 || range.End.Value <= start)
        {
            return [];
        }

        var from = Math.Max(range.Start.Value, start) - start;
        var to = range.End.Value - start;
        return [.. rows.Value.Where(r => r.Start < to && from < r.Start + r.Length).Select(ToRecord)];
    }

    public ErrnoOr<DeviceExtent> LocateMetadata(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Split(' ', 2, StringSplitOptions.TrimEntries);
        var inode = parts.Length == 2 ? Inode(parts[1]) : null;
        var found = (parts[0], inode) switch
        {
            ("sb", null) when parts.Length == 1 => (ErofsImage.SuperBlockOffset, ErofsImage.SuperBlockSize),
            ("inode", { } i) => (i.Location, i.InodeSize),
            ("dirents", { IsDirectory: true } i) => i.TailSize > 0 ? (i.TailLocation, i.TailSize) : (image.RootDirBlocks.Start * BlockSize, image.RootDirBlocks.Count * BlockSize),
            ("inline-tail", { TailSize: > 0, IsDirectory: false } i) => (i.TailLocation, i.TailSize),
            ("chunk-index", { Layout: DataLayout.ChunkBased } i) => i.Index,
            ("compressed-index", { Layout: DataLayout.CompressedFull } i) => i.Index,
            _ => ((ulong, ulong)?)null,
        };

        return found is { } f && f.Item2 > 0
            ? ErrnoOr<DeviceExtent>.Ok(new DeviceExtent(image.OffsetOf(f.Item1), new ByteLength(f.Item2)))
            : ErrnoOr<DeviceExtent>.Fail(Errno.ENOENT, $"erofs: no metadata '{name}'; names: sb, inode /<file> (or / for the root), dirents /, inline-tail /<file> (FLAT_INLINE files), chunk-index /<file> (chunk-based files), compressed-index /<file> (compressed files)");
    }

    private ErofsInodeData? Inode(string path) =>
        path == "/" ? image.Root
        : path.Length > 1 && path[0] == '/' && image.RootEntries.TryGetValue(path[1..], out var nid) ? image.Find(nid) : null;

    /// <summary>Every record of the image, unsorted: the superblock, then per inode (nid order) its parts.</summary>
    private static IEnumerable<Row> All(ErofsImage image)
    {
        var order = 0;
        yield return new Row(ErofsImage.SuperBlockOffset, ErofsImage.SuperBlockSize, RmapOwner.OfMetadata("superblock"), null, order++);
        foreach (var i in image.Inodes)
        {
            yield return new Row(i.Location, i.InodeSize, RmapOwner.OfMetadata($"inode {i.Path}"), null, order++);
            var owner = RmapOwner.OfInode(i.Nid);
            if (i.IsDirectory)
            {
                if (i.TailSize > 0)
                {
                    yield return new Row(i.TailLocation, i.TailSize, RmapOwner.OfMetadata("directory /"), null, order++);
                }

                if (image.RootDirBlocks.Count > 0)
                {
                    yield return new Row(image.RootDirBlocks.Start * BlockSize, image.RootDirBlocks.Count * BlockSize, RmapOwner.OfMetadata("directory /"), null, order++);
                }

                continue;
            }

            if (i.Index.Length > 0)
            {
                var kind = i.Layout == DataLayout.ChunkBased ? "chunk index" : "compressed index";
                yield return new Row(i.Index.Offset, i.Index.Length, RmapOwner.OfMetadata($"{kind} {i.Path}"), null, order++);
            }

            if (i.DataBlocks > 0)
            {
                yield return new Row(i.RawBlkaddr * BlockSize, i.DataBlocks * BlockSize, owner, 0, order++);
            }

            if (i.TailSize > 0)
            {
                yield return new Row(i.TailLocation, i.TailSize, owner, i.DataBlocks * BlockSize, order++);
            }

            var (pieces, unit) = i.Layout == DataLayout.ChunkBased ? (i.ChunkBlocks, i.ChunkSize) : (i.Pclusters, BlockSize);
            foreach (var run in Runs(pieces, unit, i.Size))
            {
                yield return new Row(run.Block * BlockSize, run.Bytes, owner, run.FileOffset, order++);
            }
        }
    }

    /// <summary>Chunks or clusters as extents: neighbours that are contiguous on disk and in the file merge.</summary>
    private static List<(ulong Block, ulong Bytes, ulong FileOffset)> Runs(List<ulong> pieces, ulong unit, ulong size)
    {
        var runs = new List<(ulong Block, ulong Bytes, ulong FileOffset)>();
        for (var n = 0; n < pieces.Count; n++)
        {
            var fileOffset = (ulong)n * unit;
            var bytes = (Math.Min(unit, size - fileOffset) + BlockSize - 1) / BlockSize * BlockSize;
            if (runs.Count > 0 && runs[^1] is var last && (last.Block * BlockSize) + last.Bytes == pieces[n] * BlockSize && last.FileOffset + last.Bytes == fileOffset)
            {
                runs[^1] = last with { Bytes = last.Bytes + bytes };
            }
            else
            {
                runs.Add((pieces[n], bytes, fileOffset));
            }
        }

        return runs;
    }

    private RmapRecord ToRecord(Row row) =>
        new(new DeviceExtent(image.OffsetOf(row.Start), new ByteLength(row.Length)), row.Owner, row.FileOffset is { } f ? new FileOffset(f) : null, RmapRecordFlags.None);

    private sealed record Row(ulong Start, ulong Length, RmapOwner Owner, ulong? FileOffset, int Order);
}
