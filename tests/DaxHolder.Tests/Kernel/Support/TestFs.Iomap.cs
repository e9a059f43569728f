using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Tests.Kernel.Support;

/// <summary>testfs's iomap, rmap, XFS-like notify_failure and block allocator.</summary>
internal sealed partial class TestFs
{
    // --- iomap -------------------------------------------------------------------------------

    public ErrnoOr<IomapResult> IomapBegin(InodeNumber inode, FileOffset position, ByteLength length, IomapRequest request)
    {
        TestFsFaults.At((request & IomapRequest.Fault) != 0 ? "fault" : "iomap", kernel);
        if (SuperBlock.IsShutdown)
        {
            return ErrnoOr<IomapResult>.Fail(Errno.EIO);
        }

        var file = FileOf(inode);
        var first = position.Value / PageGeometry.PageSize;
        var wanted = Math.Max(1, (length.Value + PageGeometry.PageSize - 1) / PageGeometry.PageSize);
        var write = (request & IomapRequest.Write) != 0;
        if (!file.Blocks.TryGetValue(first, out var dev))
        {
            if (!write)
            {
                var hole = 1UL;
                while (hole < wanted && !file.Blocks.ContainsKey(first + hole))
                {
                    hole++;
                }

                return ErrnoOr<IomapResult>.Ok(new IomapResult(new Iomap(new FileOffset(first * PageGeometry.PageSize), new ByteLength(hole * PageGeometry.PageSize), IomapType.Hole, IomapMappingFlags.None, null, dax)));
            }

            for (ulong i = 0; i < wanted; i++)
            {
                file.Blocks.TryAdd(first + i, Allocate(file, first + i));
            }

            return ErrnoOr<IomapResult>.Ok(new IomapResult(MapRun(file, first, wanted, IomapMappingFlags.New)));
        }

        if (write && image.BlockRefs[dev] > 1)
        {
            // CoW: a new block replaces the shared one, which becomes the source.
            var source = MapRun(file, first, 1, IomapMappingFlags.Shared);
            Unref(dev);
            file.Blocks[first] = Allocate(file, first);
            return ErrnoOr<IomapResult>.Ok(new IomapResult(MapRun(file, first, 1, IomapMappingFlags.Shared | IomapMappingFlags.New), source));
        }

        var mapped = MapRun(file, first, wanted, image.BlockRefs[dev] > 1 ? IomapMappingFlags.Shared : IomapMappingFlags.None);
        if (TestFsFaults.Is("iomap-past-device"))
        {
            mapped = mapped with { Address = new DeviceOffset(image.Device.Size.Value + (1UL << 30)) };
        }

        return ErrnoOr<IomapResult>.Ok(new IomapResult(mapped));
    }

    public Errno IomapEnd(InodeNumber inode, FileOffset position, ByteLength length, ByteLength written, IomapRequest request, Iomap map) => Errno.Ok;

    // --- rmap and notify_failure --------------------------------------------------------------

    public IReadOnlyList<RmapRecord> Query(DeviceExtent range)
    {
        var records = new List<RmapRecord>();
        var first = range.Start.Value / PageGeometry.PageSize;
        var last = (range.Start.Value + range.Length.Value - 1) / PageGeometry.PageSize;
        for (var b = first; b <= last; b++)
        {
            if (b == 0)
            {
                records.Add(new RmapRecord(new DeviceExtent(new DeviceOffset(0), ByteLength.Page), RmapOwner.OfMetadata("superblock"), null, RmapRecordFlags.None));
            }

            foreach (var file in image.Files.Values.OrderBy(f => f.Number.Value))
            {
                foreach (var (fileBlock, dev) in file.Blocks.Where(kv => kv.Value == b))
                {
                    records.Add(new RmapRecord(new DeviceExtent(new DeviceOffset(dev * PageGeometry.PageSize), ByteLength.Page), RmapOwner.OfInode(file.Number), new FileOffset(fileBlock * PageGeometry.PageSize), RmapRecordFlags.None));
                }
            }
        }

        return records;
    }

    public ErrnoOr<DeviceExtent> LocateMetadata(string name) =>
        name == "superblock" ? ErrnoOr<DeviceExtent>.Ok(new DeviceExtent(new DeviceOffset(0), ByteLength.Page)) : ErrnoOr<DeviceExtent>.Fail(Errno.ENOENT);

    /// <summary>An XFS-like notify_failure: not born: -EIO; clip to this device; metadata shuts down after the file kills.</summary>
    public Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        TestFsFaults.At("notify_failure", kernel);
        if (!SuperBlock.IsBorn)
        {
            return Errno.EIO;
        }

        var start = image.Device.Start.Value;
        var end = start + image.Device.Size.Value - 1;
        var last = length == ByteLength.Max ? ulong.MaxValue : offset.Value + length.Value - 1;
        if (last < start || offset.Value > end)
        {
            return Errno.ENXIO;
        }

        var from = Math.Max(offset.Value, start) - start;
        var to = Math.Min(last, end) - start;
        var preRemove = (flags & MfFlags.MemPreRemove) != 0;
        var wantShutdown = false;
        foreach (var record in Query(new DeviceExtent(new DeviceOffset(from), new ByteLength(to - from + 1))))
        {
            if (record.Owner.IsMetadata)
            {
                wantShutdown |= !preRemove;
                continue;
            }

            if (FindInCore(record.Owner.Inode!.Value) is not { } inode)
            {
                continue;
            }

            var result = kernel.MfDaxKillProcs(inode.Mapping, new PageIndex(record.FileOffset!.Value.Value / PageGeometry.PageSize), new PageCount(1), flags);
            if (result != Errno.Ok)
            {
                return result;
            }
        }

        if (wantShutdown)
        {
            SuperBlock.ForceShutdown("metadata");
            return Errno.EFSCORRUPTED;
        }

        return Errno.Ok;
    }

    // --- helpers -----------------------------------------------------------------------------

    private TestFile FileOf(InodeNumber inode) => image.Files.Values.First(f => f.Number == inode);

    private TestInode Get(InodeNumber inode) => inCore[inode];

    private Iomap MapRun(TestFile file, ulong first, ulong wanted, IomapMappingFlags flags)
    {
        var dev = file.Blocks[first];
        ulong run = 1;
        while (run < wanted && file.Blocks.TryGetValue(first + run, out var next) && next == dev + run && image.BlockRefs[next] == image.BlockRefs[dev])
        {
            run++;
        }

        return new Iomap(new FileOffset(first * PageGeometry.PageSize), new ByteLength(run * PageGeometry.PageSize), IomapType.Mapped, flags,
            new DeviceOffset(image.Device.Start.Value + (dev * PageGeometry.PageSize)), dax);
    }

    private ulong Allocate(TestFile file, ulong fileBlock)
    {
        const ulong pmdBlocks = PageGeometry.PmdSize / PageGeometry.PageSize;
        if (file.AlignExtents)
        {
            if (fileBlock > 0 && file.Blocks.TryGetValue(fileBlock - 1, out var previous) && !image.BlockRefs.ContainsKey(previous + 1))
            {
                return Take(previous + 1);
            }

            for (var b = pmdBlocks + (fileBlock % pmdBlocks); b < image.Blocks; b += pmdBlocks)
            {
                if (!image.BlockRefs.ContainsKey(b))
                {
                    return Take(b);
                }
            }
        }

        for (ulong b = 1; b < image.Blocks; b++)
        {
            if (!image.BlockRefs.ContainsKey(b))
            {
                return Take(b);
            }
        }

        throw new InvalidOperationException("testfs: no space");
    }

    private ulong Take(ulong block)
    {
        image.BlockRefs[block] = 1;
        return block;
    }

    private void Unref(ulong dev)
    {
        if (--image.BlockRefs[dev] == 0)
        {
            image.BlockRefs.Remove(dev);
        }
    }

    private void Evict(TestInode inode)
    {
        kernel.TruncateInodePagesFinal(inode.Mapping);
        inCore.Remove(inode.Number);
    }
}
