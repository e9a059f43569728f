using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Trace;

/// <summary>
/// One thing the kernel decided or did, in the order the kernel walked it, as a tracepoint would
/// record it: a call (dax_holder_notify_failure(), mf_dax_kill_procs()) is recorded where it was
/// made and carries its return value once it returned; what the callee did follows it. Reports
/// render these; expectations check them. Tasks are named by comm, tgid and tid as they were
/// when the decision was taken.
/// </summary>
internal abstract record Decision;

/// <summary>A task as a decision names it.</summary>
internal readonly record struct TaskName(string Comm, int Pid, int Tid)
{
    public override string ToString() => Pid == Tid ? $"{Comm}:{Pid}" : $"{Comm}:{Pid}/{Tid}";
}

/// <summary>
/// drivers/dax/super.c: dax_holder_notify_failure() and what it returned (null while the holder
/// runs, and for good when a plugin fault ended the call).
/// </summary>
internal sealed record HolderNotified(string DaxDevice, string? Holder, DeviceOffset Offset, ByteLength Length, MfFlags Flags, Errno? Result) : Decision
{
    /// <summary>Set once the call returns (<see cref="DecisionTrace.Return"/>).</summary>
    public Errno? Result { get; internal set; } = Result;
}

/// <summary>
/// The holder's notify_failure is about to walk its reverse map over <paramref name="Range"/> (as
/// xfs_dax_notify_ddev_failure() queries each AG's rmapbt); <paramref name="Found"/> is how many
/// records the walk visited, known once it moved on.
/// </summary>
internal sealed record RmapQueried(string Plugin, DeviceExtent Range, int? Found) : Decision
{
    /// <summary>Set once the walk moved on.</summary>
    public int? Found { get; internal set; } = Found;
}

/// <summary>One reverse-map record the holder's notify_failure visited, and what it did with it, told by the plugin as it walked.</summary>
internal sealed record RmapRecordVisited(string Plugin, RmapRecord Record, RmapVisit Visit) : Decision;

/// <summary>Records visited past the first <see cref="DecisionTrace.RmapListed"/> of one notify_failure call: counted, not kept.</summary>
internal sealed record RmapRecordsElided(string Plugin, int Count) : Decision;

/// <summary>One printk line, at the point the kernel printed it.</summary>
internal sealed record LogPrinted(Printk.LogLine Line) : Decision;

/// <summary>A call into a plugin threw: a plugin fault, reported as the errno the host returned for it.</summary>
internal sealed record PluginFaulted(string Plugin, string Call, string Problem, Errno Returned) : Decision;

/// <summary>mm/memory-failure.c: the event took mf_generic_kill_procs() (page->mapping), and why.</summary>
internal sealed record GenericPathTaken(Pfn Pfn, string Reason) : Decision;

/// <summary>mm/memory-failure.c: mf_dax_kill_procs() was called by a holder for a file range.</summary>
internal sealed record DaxKillProcsCalled(InodeNumber Inode, PageIndex Index, PageCount Count, MfFlags Flags, Errno? Result) : Decision
{
    /// <summary>Set once the call returns (<see cref="DecisionTrace.Return"/>).</summary>
    public Errno? Result { get; internal set; } = Result;
}

/// <summary>One page index looked at by mf_dax_kill_procs() or the generic path, and the entry it found.</summary>
internal sealed record PageExamined(InodeNumber Inode, PageIndex Index, Pfn? EntryPfn, DaxEntryState Found) : Decision
{
    /// <summary>The entry as reports print it ("no entry", "pfn 0x…", "PMD pfn 0x… (locked)").</summary>
    public string Entry => Found.ToString();
}

/// <summary>The generic path could not lock the page: page->mapping is NULL, not DAX, or gone (mf_generic_kill_procs(): -EBUSY).</summary>
internal sealed record PageNotLocked(Pfn Pfn, string Reason) : Decision;

/// <summary>SetPageHWPoison() on a page (the PMD head under a PMD entry).</summary>
internal sealed record PagePoisoned(Pfn Pfn) : Decision;

/// <summary>A candidate task's VMA that was not collected, and why (mm/memory-failure.c: task_early_kill(), add_to_kill()).</summary>
internal sealed record CandidateSkipped(TaskName Task, UserAddress VmaStart, string Reason) : Decision
{
    /// <summary>task_early_kill() found no thread to signal.</summary>
    public const string NotEarlyKill = "not current and not early kill (task_early_kill)";

    /// <summary>6.10+ __add_to_kill(): the VMA has no user address for the page.</summary>
    public const string NoUserAddress = "no user address for the page in this VMA (-EFAULT, skipped)";

    /// <summary>dev_pagemap_mapping_shift() found no PTE or PMD at <paramref name="address"/>.</summary>
    public static string NotMappedAt(UserAddress address) => $"the page is not mapped at {address} (no PTE/PMD, shift 0)";
}

/// <summary>A to_kill entry: the task, its address for the page and the mapping shift (mm/memory-failure.c: add_to_kill()).</summary>
internal sealed record ProcessCollected(TaskName Task, UserAddress Address, int SizeShift) : Decision;

/// <summary>mm/memory.c: unmap_mapping_range() and the page-table entries it removed, per task.</summary>
internal sealed record RangeUnmapped(InodeNumber Inode, FileOffset Start, ByteLength Length, IReadOnlyList<UnmappedEntry> Removed) : Decision
{
    /// <summary>Equal when the same entries were removed, in the same order.</summary>
    public bool Equals(RangeUnmapped? other) =>
        other is not null && Inode == other.Inode && Start == other.Start && Length == other.Length && Removed.SequenceEqual(other.Removed);

    public override int GetHashCode() => HashCode.Combine(Inode, Start, Length, Removed.Count);
}

/// <summary>
/// fs/dax.c: dax_layout_busy_page() (6.15+: dax_break_layout()) before a filesystem changes a
/// file's block map: every process mapping of the file was zapped, and from 6.15 its DAX entries deleted.
/// </summary>
internal sealed record LayoutBroken(InodeNumber Inode, IReadOnlyList<UnmappedEntry> Removed, int EntriesDeleted) : Decision
{
    /// <summary>Equal when the same entries were removed, in the same order.</summary>
    public bool Equals(LayoutBroken? other) =>
        other is not null && Inode == other.Inode && EntriesDeleted == other.EntriesDeleted && Removed.SequenceEqual(other.Removed);

    public override int GetHashCode() => HashCode.Combine(Inode, EntriesDeleted, Removed.Count);
}

/// <summary>One page-table entry removed from one mm.</summary>
internal readonly record struct UnmappedEntry(TaskName Task, UserAddress Address, int Shift);

/// <summary>A signal sent (or not queued) to a thread.</summary>
internal sealed record SignalSent(SignalRecord Signal) : Decision;

/// <summary>A filesystem state change: shutdown, freeze, thaw.</summary>
internal sealed record FileSystemChanged(string SuperBlock, string Change) : Decision;

/// <summary>A WARN, an Oops or a panic.</summary>
internal sealed record KernelHealthEvent(KernelHealthKind Kind, string Message, IReadOnlyList<string> CallChain) : Decision;

/// <summary>mm/memory-failure.c: action_result(pfn, type, result): MF_MSG_DAX for device memory, the LRU types for page-cache pages.</summary>
internal sealed record ActionResultRecorded(Pfn Pfn, MfActionResult Result) : Decision
{
    /// <summary>action_page_types[MF_MSG_DAX].</summary>
    public const string DaxPage = "dax page";

    /// <summary>What action_page_types calls the page ("dax page", "clean LRU page", "dirty LRU page").</summary>
    public string PageType { get; init; } = DaxPage;
}

/// <summary>The pmem driver's badblocks changed.</summary>
internal sealed record BadblocksChanged(string Disk, ulong FirstSector, ulong Sectors, bool Added) : Decision;

/// <summary>A step of device teardown (kill_dax, memunmap_pages).</summary>
internal sealed record TeardownStep(string Step, string Detail) : Decision;

/// <summary>A signal reaching its thread when it returns to user space, and what that did.</summary>
internal sealed record SignalDelivered(TaskName Task, int Signal, string Outcome) : Decision;

/// <summary>A process ended (do_group_exit), and why.</summary>
internal sealed record ProcessExited(TaskName Task, string Reason) : Decision;

/// <summary>A page fault that failed: its vm_fault_t and why.</summary>
internal sealed record FaultFailed(TaskName Task, UserAddress Address, string Result, string? Why) : Decision;

/// <summary>A rule the model does not reproduce faithfully for this case: said, never faked.</summary>
internal sealed record NotModelled(string What) : Decision;

/// <summary>What the kernel's health became: a WARN, an Oops or a panic.</summary>
internal enum KernelHealthKind
{
    Warning,
    Oops,
    Panic,
}

/// <summary>mm/memory-failure.c: enum mf_result.</summary>
internal enum MfActionResult
{
    Ignored = 0,
    Failed = 1,
    Delayed = 2,
    Recovered = 3,
}
