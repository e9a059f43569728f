using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Arch.X86;
using DaxHolder.Kernel.Mm.MemoryFailure;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Mm;

/// <summary>mm/madvise.c: madvise_inject_error(), MADV_HWPOISON and MADV_SOFT_OFFLINE.</summary>
internal sealed class Madvise(KernelContext kernel, MemoryFailureHandler memoryFailure, Fault fault, Dumpstack dumpstack, SignalDelivery signals)
{
    /// <summary>
    /// madvise(start, length, MADV_HWPOISON) by <paramref name="task"/> (needs CAP_SYS_ADMIN): an
    /// unaligned start, or a range that wraps past the top of the address space, is -EINVAL;
    /// for each 4 KiB page (fsdax pages are order 0 up to 6.14), get_user_pages_fast faults it in
    /// if needed, the injection is logged, and memory_failure runs with MF_COUNT_INCREASED |
    /// MF_SW_SIMULATED (6.11+: | MF_ACTION_REQUIRED) and `current` = the caller. -EOPNOTSUPP
    /// counts as success; any other error ends the loop and is madvise's return.
    /// </summary>
    public Errno HwPoison(TaskStruct task, UserAddress start, ByteLength length) =>
        ReturnToUser(task, Inject(task, start, length, softOffline: false));

    /// <summary>
    /// madvise(MADV_SOFT_OFFLINE): soft_offline_page() finds no online page for a ZONE_DEVICE pfn
    /// and returns -EIO, which madvise returns (ndctl test/dax-poison.c). Nothing is signalled.
    /// </summary>
    public Errno SoftOffline(TaskStruct task, UserAddress start, ByteLength length) =>
        ReturnToUser(task, Inject(task, start, length, softOffline: true));

    private Errno ReturnToUser(TaskStruct task, Errno result)
    {
        signals.DeliverPending(task);
        return result;
    }

    private Errno Inject(TaskStruct task, UserAddress start, ByteLength length, bool softOffline)
    {
        ArgumentNullException.ThrowIfNull(task);
        _ = task.Group.Mm ?? throw new InvalidOperationException($"{task} has no mm");

        // mm/madvise.c: do_madvise(): the range checks before madvise_inject_error(start, start + len_in).
        if (start.Value % PageGeometry.PageSize != 0)
        {
            return Errno.EINVAL;
        }

        var len = unchecked((length.Value + PageGeometry.PageSize - 1) & ~(PageGeometry.PageSize - 1));
        if (length.Value != 0 && len == 0)
        {
            return Errno.EINVAL;
        }

        if (unchecked(start.Value + len) < start.Value)
        {
            return Errno.EINVAL;
        }

        var end = start.Value + length.Value;
        for (var address = start; address.Value < end; address = address.Add(PageGeometry.PageSize))
        {
            var gup = fault.GetUserPage(task, address);
            if (!gup.IsOk)
            {
                return gup.Error;
            }

            if (gup.Value is not { } pfn)
            {
                kernel.Trace.Add(new NotModelled($"{address} is not backed by device memory or the page cache (the zero page or an anonymous copy): anonymous memory poisoning is outside the model"));
                return Errno.Ok;
            }

            if (softOffline)
            {
                kernel.Log.Printk(KernelLogLevel.Info, $"Soft offlining pfn {pfn} at process virtual address {address}");
                return Errno.EIO;
            }

            kernel.Log.Printk(KernelLogLevel.Info, $"Injecting memory failure for pfn {pfn} at process virtual address {address}");
            var flags = MfFlags.CountIncreased | MfFlags.SwSimulated | (kernel.Has(KernelFeature.MadviseActionRequired) ? MfFlags.ActionRequired : MfFlags.None);
            if (dumpstack.RunAsCurrent<Errno?>(memoryFailure, task, () => memoryFailure.MemoryFailure(pfn, flags), null) is not { } ret)
            {
                return Errno.Ok;
            }

            if (ret == Errno.EOPNOTSUPP)
            {
                ret = Errno.Ok;
            }

            if (ret != Errno.Ok || kernel.Panicked)
            {
                return ret;
            }
        }

        return Errno.Ok;
    }
}
