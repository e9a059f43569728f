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

        if (RmapFailureWalk.ClipToDevice(image.Device, offset, length) is not { } range)
        {
            return Errno.ENXIO;
        }

        var preRemove = (flags & MfFlags.MemPreRemove) != 0 && mount.Kernel.Profile.Has(KernelFeature.MemPreRemove);
        var walk = RmapFailureWalk.Walk(mount.Kernel, reverseMap, mount.Inodes, range, flags);
        if (walk.Error != Errno.Ok)
        {
            return walk.Error;
        }

        if (preRemove || walk.Metadata.Count == 0)
        {
            return Errno.Ok;
        }

        var metadataHit = walk.Metadata[0];
        // erofs_err(sb, ...): pr_err("(device %s): %s: %pV") under pr_fmt "erofs: ".
        var block = (metadataHit.Extent.Start.Value - image.Device.Start.Value) / ErofsMkfsOptions.BlockSize;
        mount.Kernel.Log.Printk(KernelLogLevel.Err, $"erofs: (device {sb.Id}): {Function}: memory failure in {metadataHit.Owner.Metadata} at block {block}");
        return Errno.EFSCORRUPTED;
    }
}
