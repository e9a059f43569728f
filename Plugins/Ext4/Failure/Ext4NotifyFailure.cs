using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Ext4.Layout;
using DaxHolder.Plugins.Ext4.Mount;

namespace DaxHolder.Plugins.Ext4.Failure;

/// <summary>
/// The opt-in proposal (mount option notify_failure=rmap): holder operations for ext4 whose
/// -&gt;notify_failure walks the model's derived rmap the way fs/xfs/xfs_notify_failure.c walks
/// XFS's rmapbt. No kernel has this: ext4 takes its dax device with no holder (README). The
/// function name "ext4_dax_notify_failure" and line 0 in its log lines are the proposal's, not a
/// kernel's.
/// </summary>
internal sealed class Ext4NotifyFailure(Ext4Mount mount, Ext4Image image, Ext4ReverseMap reverseMap) : IDaxHolderOperations
{
    /// <summary>The proposal's function name, as __ext4_error would print __func__.</summary>
    public const string Function = "ext4_dax_notify_failure";

    /// <summary>
    /// Checked in this order, after xfs_dax_notify_failure: SB_BORN (-EIO), the range clipped to
    /// this device (-ENXIO outside it), then the rmap walk: in-core DAX file owners go to
    /// mf_dax_kill_procs with their pgoff and count (inodes not in core are skipped, as XFS
    /// does), free space does nothing, and after the walk a journal hit aborts the journal and
    /// any other metadata goes to ext4's error handling by errors=; either makes the call
    /// return -EFSCORRUPTED ("Failed"). With MF_MEM_PRE_REMOVE (6.7+) metadata is ignored, every
    /// file's mappings are revoked and invalidated inside a kernel freeze, and the filesystem shuts
    /// down as ext4_force_shutdown(EXT4_GOING_FLAGS_NOLOGFLUSH) would.
    /// </summary>
    public Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        var sb = mount.SuperBlock;
        var log = mount.Kernel.Log;
        if (!sb.IsBorn)
        {
            log.Printk(KernelLogLevel.Warning, $"EXT4-fs ({sb.Id}): {Function}: filesystem is not ready for notify_failure()!");
            return Errno.EIO;
        }

        if (RmapFailureWalk.ClipToDevice(image.Device, offset, length) is not { } range)
        {
            return Errno.ENXIO;
        }

        var preRemove = (flags & MfFlags.MemPreRemove) != 0 && mount.Kernel.Profile.Has(KernelFeature.MemPreRemove);
        if (preRemove)
        {
            log.Printk(KernelLogLevel.Info, $"EXT4-fs ({sb.Id}): {Function}: Device is about to be removed!");
            if (sb.FreezeSuper(FreezeHolder.Kernel) != Errno.Ok)
            {
                log.Printk(KernelLogLevel.Emerg, $"EXT4-fs ({sb.Id}): {Function}: already frozen by kernel");
            }
        }

        var walk = RmapFailureWalk.Walk(mount.Kernel, reverseMap, mount.Inodes, range, flags, r => (r.Flags & (RmapRecordFlags.BmbtBlock | RmapRecordFlags.AttrFork)) != 0);
        var result = walk.Error;
        if (preRemove)
        {
            log.Printk(KernelLogLevel.Alert, $"EXT4-fs ({sb.Id}): shut down requested (2)");
            sb.ForceShutdown("ext4_force_shutdown(EXT4_GOING_FLAGS_NOLOGFLUSH): the device is being removed (proposal)");
            sb.ThawSuper(FreezeHolder.Kernel);
            return result;
        }

        // Metadata does not stop the walk: file owners later in the range still need their kills.
        var journalHit = walk.Metadata.Any(r => r.Owner.Metadata == "journal");
        var metadataHit = walk.Metadata.FirstOrDefault(r => r.Owner.Metadata != "journal");
        if (journalHit)
        {
            mount.Errors.AbortJournal();
        }

        if (metadataHit is { } hit)
        {
            Report(hit);
        }

        return result != Errno.Ok ? result : journalHit || metadataHit is not null ? Errno.EFSCORRUPTED : Errno.Ok;
    }

    /// <summary>ext4_error (or ext4_error_inode for an extent block) naming what was lost, then ext4_handle_error by errors=.</summary>
    private void Report(RmapRecord hit)
    {
        var block = (hit.Extent.Start.Value - image.Device.Start.Value) / Ext4Geometry.BlockSize;
        if (hit.Owner.Inode is { } ino)
        {
            var what = (hit.Flags & RmapRecordFlags.AttrFork) != 0 ? "xattr block" : "extent tree block";
            mount.Errors.ErrorInode(Function, 0, ino.Value, block, $"memory failure in {what}");
            return;
        }

        mount.Errors.Error(Function, 0, $"memory failure in {hit.Owner.Metadata} at block {block}");
    }
}
