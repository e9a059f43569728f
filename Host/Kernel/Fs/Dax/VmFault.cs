using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Fs.Dax;

/// <summary>include/linux/mm.h: struct vm_fault, what a fault handler is given.</summary>
internal sealed record VmFault(TaskStruct Task, VmArea Vma, UserAddress Address, bool Write)
{
    /// <summary>vmf->pgoff: the file page the address maps.</summary>
    public PageIndex Pgoff => Vma.PgoffOf(Address);
}

/// <summary>include/linux/mm_types.h: vm_fault_t, the results the model distinguishes.</summary>
internal enum VmFaultResult
{
    /// <summary>VM_FAULT_NOPAGE: the handler installed the mapping.</summary>
    NoPage,

    /// <summary>VM_FAULT_SIGBUS: SIGBUS with BUS_ADRERR.</summary>
    Sigbus,

    /// <summary>VM_FAULT_HWPOISON: SIGBUS BUS_MCEERR_AR with lsb PAGE_SHIFT (DAX faults, 6.5+).</summary>
    HwPoison,

    /// <summary>VM_FAULT_FALLBACK: a PMD fault gives up and the PTE path runs.</summary>
    Fallback,

    /// <summary>The fault sleeps: a write fault on a frozen filesystem waits in sb_start_pagefault.</summary>
    Blocked,
}

/// <summary>What a fault did: its result and, when it mapped something, the leaf.</summary>
internal sealed record FaultOutcome(VmFaultResult Result, PageTableEntry? Leaf = null, string? Why = null);
