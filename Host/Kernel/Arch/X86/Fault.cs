using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Arch.X86;

/// <summary>What a user access came to.</summary>
internal enum AccessResult
{
    /// <summary>The load or store completed.</summary>
    Done,

    /// <summary>The fault raised SIGBUS.</summary>
    Sigbus,

    /// <summary>The access consumed poison: a synchronous machine check ran.</summary>
    MachineCheck,

    /// <summary>The fault sleeps (a write fault on a frozen filesystem).</summary>
    Blocked,

    /// <summary>Something about the access is outside the model (reported with it).</summary>
    NotModelled,

    /// <summary>No VMA at the address: SIGSEGV (SEGV_MAPERR).</summary>
    Segv,
}

/// <summary>
/// arch/x86/mm/fault.c: a user load or store: the page walk, the page fault
/// (do_user_addr_fault → handle_mm_fault → the DAX fault handler), do_sigbus() for its
/// failures, and, when the access reaches memory with a media error, the machine check.
/// </summary>
internal sealed class Fault(KernelContext kernel, FsDax dax, SignalDelivery signals, Mce mce, NvdimmBus bus, Filemap filemap)
{
    /// <summary>A task touches <paramref name="address"/> (a read or a write), then returns to user space.</summary>
    public AccessResult UserAccess(TaskStruct task, UserAddress address, bool write) => UserAccess(task, address, write, out _);

    /// <summary>
    /// As <see cref="UserAccess(TaskStruct, UserAddress, bool)"/>, and <paramref name="reach"/>
    /// says how many bytes from the page of <paramref name="address"/> the same access would
    /// complete without a fault or a machine check: the rest of the present leaf (PTE, PMD or
    /// PUD) that now maps it, up to its first page with a media error. The hardware walks a
    /// present leaf without entering the kernel, so a loop over a range may step by the reach.
    /// </summary>
    public AccessResult UserAccess(TaskStruct task, UserAddress address, bool write, out ulong reach)
    {
        ArgumentNullException.ThrowIfNull(task);
        var result = Access(task, address, write, out reach);
        signals.DeliverPending(task);
        return result;
    }

    /// <summary>
    /// mm/gup.c: get_user_pages_fast(address, 1, 0) as madvise uses it: fault the page in for
    /// reading if it is not mapped, and return its pfn (a page-cache page of a non-DAX file is in
    /// RAM; null for the zero page and an anonymous copy); -EHWPOISON or -EFAULT if the fault fails.
    /// </summary>
    public ErrnoOr<Pfn?> GetUserPage(TaskStruct task, UserAddress address)
    {
        ArgumentNullException.ThrowIfNull(task);
        var mm = task.Group.Mm!;
        var vma = mm.FindVma(address);
        if (vma is null)
        {
            return ErrnoOr<Pfn?>.Fail(Errno.EFAULT, $"{address} is not mapped by {task}");
        }

        var leaf = mm.PageTable.Lookup(address);
        if (leaf is null && vma.File is { Mapping.IsDax: false })
        {
            leaf = FilemapFault(vma, address, write: false);
        }

        if (leaf is null)
        {
            var outcome = HandleMmFault(task, vma, address, write: false);
            if (outcome.Result != VmFaultResult.NoPage)
            {
                return ErrnoOr<Pfn?>.Fail(outcome.Result == VmFaultResult.HwPoison ? Errno.EHWPOISON : Errno.EFAULT, outcome.Why);
            }

            leaf = outcome.Leaf!;
        }

        return ErrnoOr<Pfn?>.Ok(PfnAt(leaf, address));
    }

    private AccessResult Access(TaskStruct task, UserAddress address, bool write, out ulong reach)
    {
        reach = PageGeometry.PageSize;
        var mm = task.Group.Mm ?? throw new InvalidOperationException($"{task} has no mm");
        if (mm.FindVma(address) is not { } vma)
        {
            kernel.Trace.Add(new FaultFailed(task.Name, address, "SIGSEGV", "no VMA at the address (bad_area_nosemaphore)"));
            signals.ForceSigSegv(task, address);
            return AccessResult.Segv;
        }

        // access_error(): a write needs VM_WRITE; any of VM_READ/VM_WRITE lets a read through
        // (x86 cannot map write-only).
        if (write ? (vma.Flags & VmFlags.Write) == 0 : (vma.Flags & (VmFlags.Read | VmFlags.Write)) == 0)
        {
            kernel.Trace.Add(new FaultFailed(task.Name, address, "SIGSEGV", $"the mapping does not allow a {(write ? "write" : "read")} (access_error -> bad_area_access_error)"));
            signals.ForceSigSegvAccess(task, address);
            return AccessResult.Segv;
        }

        var leaf = mm.PageTable.Lookup(address);
        if (leaf is null || (write && !leaf.Writable))
        {
            if (vma.File is { Mapping.IsDax: false })
            {
                FilemapFault(vma, address, write);
                return AccessResult.Done;
            }

            var outcome = HandleMmFault(task, vma, address, write);
            switch (outcome.Result)
            {
                case VmFaultResult.NoPage:
                    leaf = outcome.Leaf!;
                    break;
                case VmFaultResult.Blocked:
                    kernel.Trace.Add(new NotModelled($"{task} sleeps in the fault at {address}: {outcome.Why}"));
                    return AccessResult.Blocked;
                default:
                    DoSigbus(task, address, outcome);
                    return AccessResult.Sigbus;
            }
        }

        var rest = (leaf.Address.Value + leaf.Size - address.PageAligned.Value) >> PageGeometry.PageShift;
        if (PfnAt(leaf, address) is { } pfn && bus.FindByDataPfn(pfn) is { } pmem)
        {
            if (pmem.HasMediaError(pmem.OffsetOf(pfn)))
            {
                mce.KillMeMaybe(task, pfn, address);
                return AccessResult.MachineCheck;
            }

            rest = pmem.CleanPagesFrom(pmem.OffsetOf(pfn), rest);
        }

        if (!write || leaf.Writable)
        {
            reach = Math.Max(rest, 1) << PageGeometry.PageShift;
        }

        return AccessResult.Done;
    }

    /// <summary>mm/memory.c: handle_mm_fault() for a file VMA (the DAX handler) or anonymous memory.</summary>
    private FaultOutcome HandleMmFault(TaskStruct task, VmArea vma, UserAddress address, bool write)
    {
        if (vma.File is null)
        {
            var leaf = new PageTableEntry(address.PageAligned, PageGeometry.PageShift, PteKind.Anonymous, null, write);
            vma.Mm.PageTable.Set(leaf);
            return new FaultOutcome(VmFaultResult.NoPage, leaf);
        }

        if (vma.File.DeviceDax is { } devdax)
        {
            return devdax.Fault(new VmFault(task, vma, address, write));
        }

        return dax.DaxIomapFault(new VmFault(task, vma, address, write));
    }

    /// <summary>
    /// arch/x86/mm/fault.c: do_sigbus(): VM_FAULT_HWPOISON logs "MCE: Killing" and forces
    /// BUS_MCEERR_AR with lsb PAGE_SHIFT at the faulting address; anything else forces SIGBUS
    /// BUS_ADRERR (include/linux/mm.h: vmf_error(); DAX faults get VM_FAULT_HWPOISON since 1ea7ca1b0901, v6.5).
    /// </summary>
    private void DoSigbus(TaskStruct task, UserAddress address, FaultOutcome outcome)
    {
        kernel.Trace.Add(new FaultFailed(task.Name, address, outcome.Result.ToString(), outcome.Why));
        if (outcome.Result == VmFaultResult.HwPoison)
        {
            kernel.Log.Printk(KernelLogLevel.Err, $"MCE: Killing {task.Comm}:{task.Tid} due to hardware memory corruption fault at {address.Value:x}");
            signals.ForceSigMceerr(task, Signals.BUS_MCEERR_AR, address, PageGeometry.PageShift);
            return;
        }

        signals.ForceSigFault(task, Signals.BUS_ADRERR, address);
    }

    private static Pfn? PfnAt(PageTableEntry leaf, UserAddress address) =>
        leaf.Kind is PteKind.Dax or PteKind.PageCache && leaf.Pfn is { } head ? head.Add((address.Value - leaf.Address.Value) >> PageGeometry.PageShift) : null;

    /// <summary>
    /// mm/filemap.c: filemap_fault() for a file that is not DAX: the page-cache page at the
    /// address's file index (read in if needed) is mapped; a write through a shared mapping dirties
    /// it; a write through a private one copies it to an anonymous page (do_cow_fault).
    /// </summary>
    private PageTableEntry FilemapFault(VmArea vma, UserAddress address, bool write)
    {
        var index = vma.PgoffOf(address);
        var shared = (vma.Flags & VmFlags.Shared) != 0;
        PageTableEntry leaf;
        if (write && !shared)
        {
            leaf = new PageTableEntry(address.PageAligned, PageGeometry.PageShift, PteKind.Anonymous, filemap.AllocateAnonymous().Pfn, true);
        }
        else
        {
            var page = filemap.FindOrRead(vma.File!.Mapping, index);
            page.Dirty |= write;
            leaf = new PageTableEntry(address.PageAligned, PageGeometry.PageShift, PteKind.PageCache, page.Pfn, write);
        }

        vma.Mm.PageTable.Set(leaf);
        return leaf;
    }
}
