using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Abstractions.Fs;

/// <summary>
/// The reverse-map walk at the heart of a filesystem's -&gt;notify_failure, as
/// fs/xfs/xfs_notify_failure.c does it (xfs_dax_notify_ddev_failure() with xfs_dax_failure_fn()),
/// for any filesystem plugin that keeps an <see cref="IReverseMap"/> and an <see cref="IInodeCache"/>:
/// <list type="number">
/// <item><see cref="ClipToDevice"/>: the notified range clipped to the filesystem's device, or -ENXIO when it lies wholly outside;</item>
/// <item><see cref="Walk"/>: every record over the range, in the map's order, each traced for the
/// report (<see cref="IKernelServices.TraceRmapRecord"/>); metadata records are collected for the
/// caller; a file owner that is not in core, or whose mapping is not DAX, is skipped; every other
/// file owner's pages go to mf_dax_kill_procs(), and on pre-remove are then invalidated
/// (invalidate_inode_pages2_range()). The walk stops at the first error.</item>
/// </list>
/// What metadata damage means (shutdown, an error, a journal abort) stays the filesystem's own.
/// </summary>
public static class RmapFailureWalk
{
    /// <summary>
    /// [offset, offset+length) clipped to <paramref name="device"/>, or null when it lies wholly
    /// outside (the caller returns -ENXIO). A length of U64_MAX, or one that wraps, reaches the end of the device.
    /// </summary>
    public static DeviceExtent? ClipToDevice(IBlockDevice device, DeviceOffset offset, ByteLength length)
    {
        ArgumentNullException.ThrowIfNull(device);
        var start = device.Start.Value;
        var end = start + device.Size.Value - 1;
        var last = length == ByteLength.Max || offset.Value + length.Value < offset.Value ? ulong.MaxValue : offset.Value + length.Value - 1;
        if (last < start || offset.Value > end)
        {
            return null;
        }

        var from = Math.Max(offset.Value, start);
        return new DeviceExtent(new DeviceOffset(from), new ByteLength(Math.Min(last, end) - from + 1));
    }

    /// <summary>
    /// The pages of <paramref name="record"/>'s file that <paramref name="range"/> covers: the page
    /// index of the first overlapping byte and the number of pages, rounded up (xfs_dax_failure_fn()'s
    /// pgoff and pgcnt).
    /// </summary>
    public static (PageIndex Index, PageCount Count) FilePages(RmapRecord record, DeviceExtent range)
    {
        ArgumentNullException.ThrowIfNull(record);
        var fileOffset = record.FileOffset ?? throw new ArgumentException("a metadata record has no file pages", nameof(record));
        var overlapStart = Math.Max(record.Extent.Start.Value, range.Start.Value);
        var overlapEnd = Math.Min(record.Extent.End.Value, range.End.Value);
        var index = (fileOffset.Value + (overlapStart - record.Extent.Start.Value)) >> PageGeometry.PageShift;
        var count = overlapEnd > overlapStart ? (overlapEnd - overlapStart + PageGeometry.PageSize - 1) >> PageGeometry.PageShift : 0;
        return (new PageIndex(index), new PageCount(count));
    }

    /// <summary>
    /// Walks <paramref name="reverseMap"/> over <paramref name="range"/> as described on the class.
    /// <paramref name="isMetadata"/> says which records are the filesystem's own (by default, those
    /// without an inode owner). Pre-remove (<see cref="MfFlags.MemPreRemove"/> on a kernel that has
    /// it) invalidates every notified range after its kill.
    /// </summary>
    public static RmapWalkResult Walk(IKernelServices kernel, IReverseMap reverseMap, IInodeCache inodes, DeviceExtent range, MfFlags flags, Func<RmapRecord, bool>? isMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(reverseMap);
        ArgumentNullException.ThrowIfNull(inodes);
        var preRemove = (flags & MfFlags.MemPreRemove) != 0 && kernel.Profile.Has(KernelFeature.MemPreRemove);
        var metadata = new List<RmapRecord>();
        kernel.TraceRmapQuery(range);
        foreach (var record in reverseMap.Query(range))
        {
            if (record.Owner.IsMetadata || (isMetadata?.Invoke(record) ?? false))
            {
                kernel.TraceRmapRecord(record, RmapVisit.Metadata);
                metadata.Add(record);
                continue;
            }

            var inode = inodes.FindInCore(record.Owner.Inode!.Value);
            if (inode is null || !inode.Mapping.IsDax)
            {
                kernel.TraceRmapRecord(record, inode is null ? RmapVisit.NotInCore : RmapVisit.NotDax);
                continue;
            }

            kernel.TraceRmapRecord(record, RmapVisit.Notified);
            var (index, count) = FilePages(record, range);
            var killed = kernel.MfDaxKillProcs(inode.Mapping, index, count, flags);
            if (preRemove && count.Value > 0)
            {
                kernel.InvalidateInodePages2Range(inode.Mapping, index, new PageIndex(index.Value + count.Value - 1));
            }

            if (killed != Errno.Ok)
            {
                return new RmapWalkResult(killed, metadata);
            }
        }

        return new RmapWalkResult(Errno.Ok, metadata);
    }
}

/// <summary>What an <see cref="RmapFailureWalk.Walk"/> found.</summary>
/// <param name="Error">The first error mf_dax_kill_procs() returned (the walk stopped there), or <see cref="Errno.Ok"/>.</param>
/// <param name="Metadata">The metadata records visited, in walk order: the filesystem decides what they mean.</param>
public readonly record struct RmapWalkResult(Errno Error, IReadOnlyList<RmapRecord> Metadata);
