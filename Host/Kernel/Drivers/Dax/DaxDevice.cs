using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Drivers.Dax;

/// <summary>
/// drivers/dax/super.c: struct dax_device of one pmem disk: DAXDEV_ALIVE, exactly one holder
/// with its optional holder_ops, the SRCU read side, and the functions that go with it:
/// fs_dax_get_by_bdev, fs_put_dax, dax_holder_notify_failure and kill_dax.
/// </summary>
internal sealed class DaxDevice : IDaxDevice
{
    private readonly KernelContext kernel;

    internal DaxDevice(KernelContext kernel, string diskName, PmemDevice pmem)
    {
        this.kernel = kernel;
        DiskName = diskName;
        Pmem = pmem;
    }

    /// <summary>The pmem device this dax_device fronts (dax_get_private).</summary>
    public PmemDevice Pmem { get; }

    public string DiskName { get; }

    public bool IsAlive { get; private set; } = true;

    /// <summary>holder_data: the filesystem object that claimed the device, or null.</summary>
    public object? Holder { get; private set; }

    /// <summary>holder_ops, guarded: null when there is no holder or it registered none.</summary>
    public IDaxHolderOperations? HolderOperations { get; private set; }

    /// <summary>The plugin whose holder this is, for reports.</summary>
    public string? HolderPlugin { get; private set; }

    /// <summary>dax_read_lock() sections in flight (I/O, faults, notify_failure).</summary>
    public int SrcuReaders { get; private set; }

    /// <summary>
    /// fs_dax_get_by_bdev(bdev, &amp;start_off, holder, ops): the disk's dax_device, or null when the
    /// queue has no DAX, the partition is not page-aligned ("%pg: error: unaligned partition for
    /// dax"), the device is dead, or a holder is given and one (even the same) already holds it.
    /// A null holder never conflicts and registers no operations.
    /// </summary>
    public static DaxDevice? FsDaxGetByBdev(KernelContext kernel, IBlockDevice device, object? holder, IDaxHolderOperations? operations, string plugin)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (device is not BlockDevice bdev || !bdev.SupportsDax)
        {
            return null;
        }

        if (!bdev.Start.IsPageAligned || !bdev.Size.IsPageAligned)
        {
            kernel.Log.Printk(KernelLogLevel.Info, $"{bdev.Name}: error: unaligned partition for dax");
            return null;
        }

        var dax = bdev.Disk.DaxDevice;
        if (!dax.IsAlive)
        {
            return null;
        }

        if (holder is not null)
        {
            if (dax.Holder is not null)
            {
                return null;
            }

            dax.Holder = holder;
            dax.HolderPlugin = plugin;
            dax.HolderOperations = operations;
        }

        return dax;
    }

    /// <summary>fs_put_dax(dax_dev, holder): clears holder and holder_ops if <paramref name="holder"/> holds it.</summary>
    public void FsPutDax(object? holder)
    {
        if (holder is not null && ReferenceEquals(Holder, holder))
        {
            Holder = null;
            HolderOperations = null;
            HolderPlugin = null;
        }
    }

    /// <summary>
    /// dax_holder_notify_failure(dax_dev, off, len, mf_flags): -ENXIO once dead (no
    /// fallback), -EOPNOTSUPP with no holder operations (memory_failure falls back to the generic
    /// path), otherwise the holder's answer. The operations are guarded: a holder that throws,
    /// hangs or answers outside the contract is a plugin fault, which ends the scenario cell.
    /// </summary>
    public Errno NotifyFailure(DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        SrcuReaders++;
        var slot = kernel.Trace.EnterHolderNotify(DiskName, HolderPlugin, offset, length, flags);
        try
        {
            Errno result;
            if (!IsAlive)
            {
                result = Errno.ENXIO;
            }
            else if (HolderOperations is not { } ops)
            {
                result = Errno.EOPNOTSUPP;
            }
            else
            {
                kernel.Trace.BeginRmapWalk(HolderPlugin ?? DiskName);
                try
                {
                    result = ops.NotifyFailure(this, offset, length, flags);
                }
                finally
                {
                    kernel.Trace.EndRmapWalk();
                }
            }

            kernel.Trace.Return(slot, result);
            return result;
        }
        finally
        {
            SrcuReaders--;
        }
    }

    /// <summary>
    /// kill_dax(dax_dev): with a holder, notify the whole device (0, U64_MAX) with
    /// MF_MEM_PRE_REMOVE (6.7+) or flags 0 (6.0–6.6), ignoring the result; then clear
    /// DAXDEV_ALIVE, synchronize_srcu (block new, drain old), and clear the holder.
    /// </summary>
    public void KillDax()
    {
        if (Holder is not null)
        {
            var flags = kernel.Has(KernelFeature.MemPreRemove) ? MfFlags.MemPreRemove : MfFlags.None;
            kernel.Trace.Add(new TeardownStep("kill_dax", $"{DiskName}: notify the holder of the whole device with flags {flags.ToKernelString()}"));
            NotifyFailure(DeviceOffset.Zero, ByteLength.Max, flags);
        }
        else
        {
            kernel.Trace.Add(new TeardownStep("kill_dax", $"{DiskName}: no holder, no notification"));
        }

        IsAlive = false;
        kernel.Trace.Add(new TeardownStep("clear DAXDEV_ALIVE", $"{DiskName}: dax access, copies and notify_failure now fail with -ENXIO"));
        kernel.Trace.Add(new TeardownStep("synchronize_srcu", $"{DiskName}: {SrcuReaders} dax_read_lock section(s) in flight drained"));
        Holder = null;
        HolderOperations = null;
        HolderPlugin = null;
    }

    public override string ToString() => DiskName;
}
