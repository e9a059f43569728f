using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Arch.X86;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Mm.MemoryFailure;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;

namespace DaxHolder.Kernel.Mm;

/// <summary>mm/hwpoison-inject.c: debugfs hwpoison/corrupt-pfn, hwpoison_inject().</summary>
internal sealed class HwpoisonInject(KernelContext kernel, DevPagemaps memremap, MemoryFailureHandler memoryFailure, SignalDelivery signals, Dumpstack dumpstack)
{
    /// <summary>
    /// hwpoison_inject(): writing a pfn to corrupt-pfn. -ENXIO if !pfn_valid; with the filter off
    /// (the model has no filter) it logs "Injecting memory failure at pfn" and calls
    /// memory_failure(pfn, MF_SW_SIMULATED) with the writer as current; -EOPNOTSUPP reads as 0. The
    /// fsdax path adds MF_ACTION_REQUIRED itself, so a writer that maps the page gets AR, as
    /// Debian's 6.1 and 6.12 were seen to do under QEMU.
    /// </summary>
    public Errno CorruptPfn(TaskStruct writer, Pfn pfn)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!memremap.PfnValid(pfn))
        {
            return Errno.ENXIO;
        }

        kernel.Log.Printk(KernelLogLevel.Info, $"Injecting memory failure at pfn {pfn}");
        if (dumpstack.RunAsCurrent<Errno?>(memoryFailure, writer, () => memoryFailure.MemoryFailure(pfn, MfFlags.SwSimulated), null) is not { } err)
        {
            return Errno.Ok;
        }

        signals.DeliverPending(writer);
        return err == Errno.EOPNOTSUPP ? Errno.Ok : err;
    }
}
