using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Mm.MemoryFailure;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Arch.X86;

/// <summary>
/// arch/x86/kernel/cpu/mce/core.c with the NFIT MCE notifier (drivers/acpi/nfit/mce.c): machine
/// checks on pmem. Each one is hardware poison: the media error is recorded and NFIT adds the page
/// to the pmem badblocks (drivers/acpi/nfit/mce.c: nfit_handle_mce()) before memory_failure runs.
/// </summary>
internal sealed class Mce(KernelContext kernel, MemoryFailureHandler memoryFailure, SignalDelivery signals, Dumpstack dumpstack, TaskList tasks, NvdimmBus bus)
{
    /// <summary>
    /// A synchronous machine check on <paramref name="task"/>'s access to <paramref
    /// name="address"/> (SRAR), handled by kill_me_maybe() as task_work with the task as current
    /// (arch/x86/kernel/cpu/mce/core.c): memory_failure(pfn, MF_ACTION_REQUIRED [| MF_MUST_KILL
    /// when RIPV is clear]); 0 makes the kernel mapping of the page uncached (set_mce_nospec);
    /// -EHWPOISON or -EOPNOTSUPP return quietly; anything else logs "Memory error not recovered"
    /// and forces SIGBUS (SI_KERNEL).
    /// </summary>
    public Errno KillMeMaybe(TaskStruct task, Pfn pfn, UserAddress address, bool ripValid = true)
    {
        ArgumentNullException.ThrowIfNull(task);
        var physical = pfn.PhysicalAddress | (address.Value & (PageGeometry.PageSize - 1));
        kernel.Log.Printk(KernelLogLevel.Err, $"mce: Uncorrected hardware memory error in user-access at {physical:x}");
        NfitHandleMce(pfn);
        var flags = MfFlags.ActionRequired | (ripValid ? MfFlags.None : MfFlags.MustKill);
        var ret = Run(task, pfn, flags);
        if (ret == Errno.Ok)
        {
            kernel.Trace.Add(new TeardownStep("set_mce_nospec", $"pfn {pfn}: the kernel's direct map of the page is made not-present"));
        }
        else if (ret != Errno.EHWPOISON && ret != Errno.EOPNOTSUPP && !task.Exited && !kernel.Panicked)
        {
            kernel.Log.Printk(KernelLogLevel.Err, "mce: Memory error not recovered");
            signals.ForceSig(task, Signals.SIGBUS);
        }

        signals.DeliverPending(task);
        return ret;
    }

    /// <summary>
    /// An asynchronous machine check (SRAO patrol scrub, or a GHES report) on <paramref name="pfn"/>:
    /// the machine is tainted (add_taint(TAINT_MACHINE_CHECK): the first taint of a boot also turns
    /// lock debugging off), the record is logged ("mce: [Hardware Error]: Machine check events
    /// logged": 6.12's mce_notify_irq(), 7.x's mce_log()), NFIT adds the bad block, and
    /// memory_failure(pfn, 0) then runs from the memory-failure work queue, where current is a
    /// kworker with no mm, so only early-kill mappers are signalled (AO). The log lines are those
    /// Debian's 6.1.192 and 6.12.95 printed for a machine check sent from the QEMU monitor; 6.12's
    /// limit of two "events logged" lines a minute is not modelled (a scenario has no clock).
    /// </summary>
    public Errno AsyncMachineCheck(Pfn pfn)
    {
        if (!kernel.Tainted)
        {
            kernel.Tainted = true;
            kernel.Log.Printk(KernelLogLevel.Warning, "Disabling lock debugging due to kernel taint");
        }

        kernel.Log.Printk(KernelLogLevel.Info, "mce: [Hardware Error]: Machine check events logged");
        NfitHandleMce(pfn);
        var ret = Run(tasks.Kworker, pfn, MfFlags.None);
        signals.DeliverPending(tasks);
        return ret;
    }

    /// <summary>drivers/acpi/nfit/mce.c: nfit_handle_mce(): a pmem pfn's page joins the badblocks.</summary>
    private void NfitHandleMce(Pfn pfn)
    {
        if (bus.FindByDataPfn(pfn) is { } pmem)
        {
            pmem.RecordMachineCheck(pmem.OffsetOf(pfn));
        }
    }

    private Errno Run(TaskStruct current, Pfn pfn, MfFlags flags) =>
        dumpstack.RunAsCurrent(memoryFailure, current, (memoryFailure, pfn, flags), static s => s.memoryFailure.MemoryFailure(s.pfn, s.flags), Errno.Ok);
}
