using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Erofs.Format;
using DaxHolder.Plugins.Erofs.Mount;

namespace DaxHolder.Plugins.Erofs.Failure;

/// <summary>
/// The opt-in proposal (mount option notify_failure=rmap): holder operations for EROFS whose
/// -&gt;notify_failure walks the model's derived rmap the way fs/xfs/xfs_notify_failure.c walks
/// XFS's rmapbt, so every file sharing a deduplicated chunk is told, not only the one whose mapping
/// fs/dax.c last wrote into the page. No kernel has this: EROFS takes its dax device with no holder
/// (fs/erofs/super.c: erofs_fc_fill_super()). The function name "erofs_dax_notify_failure" in its
/// log line is the proposal's, not a kernel's.
/// </summary>
internal sealed class ErofsNotifyFailure(ErofsMount mount, ErofsImage image, ErofsReverseMap reverseMap) : IDaxHolderOperations
{
    /// <summary>The proposal's function name, as erofs_err prints __func__.</summary>
    public const string Function = "erofs_dax_notify_failure";

    /// <summary>
    /// Checked in this order, after xfs_dax_notify_failure: SB_BORN (-EIO), the range clipped to
    /// this device (-ENXIO outside it), then the rmap walk: each in-core DAX file owner goes to
    /// mf_dax_kill_procs with its pgoff and count (inodes not in core and non-DAX inodes, whose
    /// data is in the page cache, are skipped); free space does nothing. After the walk a
    /// metadata hit logs erofs_err naming the first one and the call returns -EFSCORRUPTED
    /// ("Failed"): EROFS has no shutdown, so nothing else changes. With MF_MEM_PRE_REMOVE (6.7+)
    /// metadata is ignored and every in-core file's mappings are revoked and invalidated.
    /// </summary>
    public Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        var sb = mount.SuperBlock;
        if (!sb.IsBorn)
        {
            mount.Kernel.Log.Printk(KernelLogLevel.Warning, $"erofs: (device {sb.Id}): {Function}: filesystem is not ready for notify_failure()!");
            return Errno.EIO;
        }

        var start = image.Device.Start.Value;
        var end = start + image.Device.Size.Value - 1;
        var last = length == ByteLength.Max || offset.Value + length.Value < offset.Value ? ulong.MaxValue : offset.Value + length.Value - 1;
        if (last < start || offset.Value > end)
        {
            return Errno.ENXIO;
        }

        var from = Math.Max(offset.Value, start);
        var range = new DeviceExtent(new DeviceOffset(from), new ByteLength(Math.Min(last, end) - from + 1));
        var preRemove = (flags & MfFlags.MemPreRemove) != 0 && mount.Kernel.Profile.Has(KernelFeature.MemPreRemove);
        RmapRecord? metadataHit = null;
        foreach (var record in reverseMap.Query(range))
        {
            if (record.Owner.IsMetadata)
            {
                metadataHit ??= preRemove ? null : record;
                continue;
            }

            if (mount.Inodes.FindInCore(record.Owner.Inode!.Value) is not { Mapping.IsDax: true } inode)
            {
                continue;
            }

            var overlapStart = Math.Max(record.Extent.Start.Value, range.Start.Value);
            var overlapEnd = Math.Min(record.Extent.End.Value, range.End.Value);
            var pgoff = (record.FileOffset!.Value.Value + (overlapStart - record.Extent.Start.Value)) >> PageGeometry.PageShift;
            var count = (overlapEnd - overlapStart + PageGeometry.PageSize - 1) >> PageGeometry.PageShift;
            var killed = mount.Kernel.MfDaxKillProcs(inode.Mapping, new PageIndex(pgoff), new PageCount(count), flags);
            if (preRemove)
            {
                mount.Kernel.InvalidateInodePages2Range(inode.Mapping, new PageIndex(pgoff), new PageIndex(pgoff + count - 1));
            }

            if (killed != Errno.Ok)
            {
                return killed;
            }
        }

        if (metadataHit is null)
        {
            return Errno.Ok;
        }

        // erofs_err(sb, ...): pr_err("(device %s): %s: %pV") under pr_fmt "erofs: ".
        var block = (metadataHit.Extent.Start.Value - start) / ErofsMkfsOptions.BlockSize;
        mount.Kernel.Log.Printk(KernelLogLevel.Err, $"erofs: (device {sb.Id}): {Function}: memory failure in {metadataHit.Owner.Metadata} at block {block}");
        return Errno.EFSCORRUPTED;
    }
}
