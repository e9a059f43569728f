using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace MyFs;

/// <summary>
/// myfs's dax_holder_operations: -&gt;notify_failure answered from its own reverse map, the way
/// fs/xfs/xfs_notify_failure.c answers from XFS's rmapbt. Change the policy here: what a metadata
/// hit means, what pre-remove does, which errno the kernel sees.
/// </summary>
internal sealed class MyFsNotifyFailure(MyFsMount mount, MyFsImage image) : IDaxHolderOperations
{
    /// <summary>
    /// In order: a filesystem not yet mounted answers -EIO; the range is clipped to this device
    /// (-ENXIO when it lies outside); then the reverse-map walk (<see cref="RmapFailureWalk"/>):
    /// every in-core DAX file owner's pages go to mf_dax_kill_procs(), owners not in core or not
    /// DAX are skipped, free space tells nobody. A metadata hit shuts the filesystem down and
    /// answers -EFSCORRUPTED (the event is "Failed"); device removal (MF_MEM_PRE_REMOVE, 6.7 and
    /// later) has every mapping revoked by the walk, then shuts the filesystem down.
    /// </summary>
    public Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        var sb = mount.SuperBlock;
        var kernel = mount.Kernel;
        if (!sb.IsBorn)
        {
            kernel.Log.Printk(KernelLogLevel.Warning, $"myfs ({sb.Id}): filesystem is not ready for notify_failure()!");
            return Errno.EIO;
        }

        if (RmapFailureWalk.ClipToDevice(image.Device, offset, length) is not { } range)
        {
            return Errno.ENXIO;
        }

        var preRemove = (flags & MfFlags.MemPreRemove) != 0 && kernel.Profile.Has(KernelFeature.MemPreRemove);
        if (preRemove)
        {
            kernel.Log.Printk(KernelLogLevel.Info, $"myfs ({sb.Id}): device is about to be removed");
        }

        var walk = RmapFailureWalk.Walk(kernel, mount.ReverseMap, mount.Inodes, range, flags);
        if (preRemove)
        {
            mount.ForceShutdown("the device is being removed");
            return walk.Error;
        }

        if (walk.Metadata is [var hit, ..])
        {
            var block = hit.Extent.Start.Since(image.Device.Start).Value / MyFsImage.BlockSize;
            kernel.Log.Printk(KernelLogLevel.Crit, $"myfs ({sb.Id}): memory failure in {hit.Owner.Metadata} (block {block})");
            mount.ForceShutdown("metadata lost to a memory failure");
            return walk.Error != Errno.Ok ? walk.Error : Errno.EFSCORRUPTED;
        }

        return walk.Error;
    }
}
