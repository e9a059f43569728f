using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Xfs.Format;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>
/// The owners of the data device, for explain and for a scenario's metadata targets: the rmapbt
/// records overlapping a disk range, AG by AG in startblock order (as xfs_rmap_query_range walks
/// them), and the places of named metadata. Without rmapbt the model still knows the owners
/// (the index is derived from the same on-media state) even though the kernel cannot use them.
/// </summary>
internal sealed class XfsReverseMap(XfsMount mount) : IReverseMap
{
    private static readonly string[] AgNames = ["sb", "agf", "agi", "agfl", "bnobt", "cntbt", "inobt", "finobt", "rmapbt", "refcountbt", "freelist", "inodes"];
    private static readonly string[] FileNames = ["inodes", "inode", "bmbt", "cow", "attr"];

    private XfsImage Image => mount.Image;

    /// <summary>The names LocateMetadata understands.</summary>
    public static string KnownNames =>
        string.Join(", ", AgNames.Select(n => n + " N")) + ", log, " + string.Join(", ", FileNames.Select(n => n + " /path"))
        + " (N is an AG number; 'inodes N' is AG N's first inode chunk, 'inodes /path' the chunk holding that file's inode, "
        + "'inode /path' the block holding it, 'bmbt /path', 'cow /path' and 'attr /path' the file's first bmbt block, CoW staging extent and attr-fork block)";

    public IReadOnlyList<RmapRecord> Query(DeviceExtent range)
    {
        var g = Image.Geometry;
        var start = Image.Device.Start.Value;
        var from = Math.Max(range.Start.Value, start);
        var to = Math.Min(range.End.Value, start + (g.DataBlocks << XfsGeometry.BlockLog));
        if (range.Length.Value == 0 || from >= to)
        {
            return [];
        }

        var first = (from - start) >> XfsGeometry.BlockLog;
        var last = (to - 1 - start) >> XfsGeometry.BlockLog;
        var records = new List<RmapRecord>();
        for (var agno = (uint)(first / g.AgBlocks); agno <= last / g.AgBlocks; agno++)
        {
            var ag = Image.Ags[(int)agno];
            var low = agno == first / g.AgBlocks ? (uint)(first % g.AgBlocks) : 0;
            var high = agno == last / g.AgBlocks ? (uint)(last % g.AgBlocks) : ag.Length - 1;
            records.AddRange(ag.Rmap.QueryRange(low, high).Select(r => ToRecord(agno, r)));
        }

        return records;
    }

    public ErrnoOr<DeviceExtent> LocateMetadata(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 1 && parts[0] == "log")
        {
            return Log();
        }

        if (parts.Length == 2 && parts[1].StartsWith('/') && FileNames.Contains(parts[0]))
        {
            return OfFile(parts[0], parts[1]);
        }

        if (parts.Length == 2 && AgNames.Contains(parts[0]) && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var agno))
        {
            return agno < Image.Geometry.AgCount ? OfAg(parts[0], Image.Ags[(int)agno]) : Unknown(name, $"AG {agno} does not exist (agcount {Image.Geometry.AgCount})");
        }

        return Unknown(name, null);
    }

    private ErrnoOr<DeviceExtent> OfAg(string what, AllocationGroup ag)
    {
        (uint Start, uint Count)? blocks = what switch
        {
            "sb" => (AllocationGroup.SbBlock, 1),
            "agf" => (AllocationGroup.AgfBlock, 1),
            "agi" => (AllocationGroup.AgiBlock, 1),
            "agfl" => (AllocationGroup.AgflBlock, 1),
            "bnobt" => (AllocationGroup.BnoRoot, 1),
            "cntbt" => (AllocationGroup.CntRoot, 1),
            "inobt" => (AllocationGroup.InoRoot, 1),
            "finobt" => (AllocationGroup.FinoRoot, 1),
            "rmapbt" => ag.RmapRoot is { } r ? (r, 1) : null,
            "refcountbt" => ag.RefcRoot is { } c ? (c, 1) : null,
            "freelist" => ag.FreeList,
            "inodes" => ag.Inobt.Chunks.Select(c => ((uint, uint)?)(XfsGeometry.AginoToAgbno(c.StartAgino), XfsGeometry.ChunkBlocks)).FirstOrDefault(),
            _ => null,
        };
        return blocks is { } b
            ? ErrnoOr<DeviceExtent>.Ok(Extent(ag.Agno, b.Start, b.Count))
            : Unknown($"{what} {ag.Agno}", what == "inodes" ? $"AG {ag.Agno} has no inode chunk" : $"this filesystem has no {what} (mkfs {Image.Features})");
    }

    private ErrnoOr<DeviceExtent> OfFile(string what, string path)
    {
        var found = mount.FileOperations.Resolve(path);
        if (!found.IsOk)
        {
            return Unknown($"{what} {path}", $"no such file {path}");
        }

        var ip = found.Value;
        var g = Image.Geometry;
        var agno = g.InoToAgno(ip.Ino);
        var agino = g.InoToAgino(ip.Ino);
        switch (what)
        {
            case "inodes":
                var chunk = agino & ~(uint)(XfsGeometry.InodesPerChunk - 1);
                return ErrnoOr<DeviceExtent>.Ok(Extent(agno, XfsGeometry.AginoToAgbno(chunk), XfsGeometry.ChunkBlocks));
            case "inode":
                return ErrnoOr<DeviceExtent>.Ok(Extent(agno, XfsGeometry.AginoToAgbno(agino), 1));
            case "bmbt" when ip.BmbtBlocks.Count > 0:
                var bmbt = ip.BmbtBlocks[0];
                return ErrnoOr<DeviceExtent>.Ok(Extent(g.FsbToAgno(bmbt), g.FsbToAgbno(bmbt), 1));
            case "cow" when ip.CowFork.Extents.Count > 0:
                var cow = ip.CowFork.Extents[0];
                return ErrnoOr<DeviceExtent>.Ok(Extent(g.FsbToAgno(cow.StartBlock), g.FsbToAgbno(cow.StartBlock), (uint)cow.BlockCount));
            case "attr" when ip.AttrFork.Extents.Count > 0:
                var attr = ip.AttrFork.Extents[0];
                return ErrnoOr<DeviceExtent>.Ok(Extent(g.FsbToAgno(attr.StartBlock), g.FsbToAgbno(attr.StartBlock), (uint)attr.BlockCount));
            default:
                return Unknown($"{what} {path}", what switch
                {
                    "bmbt" => $"{path} has no bmbt block (its {ip.DataFork.Extents.Count} extents fit in the inode)",
                    "attr" => $"{path} has no attr-fork block (its {ip.Xattrs.Count} attribute(s) fit in the inode)",
                    _ => $"{path} has no CoW staging extent",
                });
        }
    }

    private ErrnoOr<DeviceExtent> Log()
    {
        if (Image.LogAgno is { } agno && Image.Ags[(int)agno].Log is { } log)
        {
            return ErrnoOr<DeviceExtent>.Ok(Extent(agno, log.Start, log.Count));
        }

        var logdev = Image.LogDevice!;
        return ErrnoOr<DeviceExtent>.Ok(new DeviceExtent(logdev.Start, new ByteLength(Image.LogBlocks << XfsGeometry.BlockLog)));
    }

    /// <summary>The disk extent of <paramref name="count"/> blocks from AG block <paramref name="agbno"/> of AG <paramref name="agno"/>.</summary>
    internal DeviceExtent Extent(uint agno, uint agbno, uint count) =>
        new(Image.Device.Start.Add(Image.Geometry.FsbToByteOffset(Image.Geometry.AgbToFsb(agno, agbno))), new ByteLength((ulong)count << XfsGeometry.BlockLog));

    /// <summary>An AG's rmapbt record as the contract's record: a disk extent and an owner.</summary>
    internal RmapRecord ToRecord(uint agno, RmapRec r)
    {
        var owner = XfsRmapOwner.IsNonInode(r.Owner) ? RmapOwner.OfMetadata(XfsRmapOwner.Name(r.Owner)) : RmapOwner.OfInode(new InodeNumber(r.Owner));
        FileOffset? offset = r.IgnoresOffset ? null : new FileOffset(r.Offset << XfsGeometry.BlockLog);
        return new RmapRecord(Extent(agno, r.StartBlock, r.BlockCount), owner, offset, r.Flags);
    }

    private static ErrnoOr<DeviceExtent> Unknown(string name, string? why) =>
        ErrnoOr<DeviceExtent>.Fail(Errno.ENOENT, $"xfs: no metadata called '{name}'{(why is null ? "" : $": {why}")}; xfs knows {KnownNames}");
}
