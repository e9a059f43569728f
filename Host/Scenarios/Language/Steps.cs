using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm.Tasks;

namespace DaxHolder.Scenarios.Language;

/// <summary>One step of a scenario, as written; <see cref="Kind"/> is its YAML key.</summary>
internal abstract record Step(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect)
{
    public abstract string Kind { get; }

    /// <summary>Events are what the kernel's memory-failure handling reacts to; reports give them in full.</summary>
    public virtual bool IsEvent => false;
}

/// <summary>A thread created with a process: its scenario name and tid.</summary>
internal sealed record ThreadSpec(string Name, int Tid);

/// <summary>A new process: its scenario name, comm, pid, PR_MCE_KILL policy, SIGBUS disposition and extra threads.</summary>
internal sealed record SpawnStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task, string Comm, int Pid, MceKillPolicy? EarlyKill, SigbusAction Sigbus, IReadOnlyList<ThreadSpec> Threads)
    : Step(At, Expect)
{
    public override string Kind => "spawn";
}

/// <summary>fork() by a task: the child's name, pid and (optionally) a new comm and SIGBUS disposition.</summary>
internal sealed record ForkStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Parent, string Child, int Pid, string? Comm, SigbusAction? Sigbus)
    : Step(At, Expect)
{
    public override string Kind => "fork";
}

/// <summary>sigaction(SIGBUS) and prctl(PR_MCE_KILL) on an existing task.</summary>
internal sealed record SetTaskStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task, MceKillPolicy? EarlyKill, SigbusAction? Sigbus)
    : Step(At, Expect)
{
    public override string Kind => "set";
}

/// <summary>exit(2) of a task's process.</summary>
internal sealed record ExitStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task) : Step(At, Expect)
{
    public override string Kind => "exit";
}

/// <summary>open + mmap + close of a file (or the devdax character device), named for later steps.</summary>
internal sealed record MmapStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task, string Name, string? File, FileOffset Offset, ByteLength? Length, bool Shared, bool Pmd, ulong? Address)
    : Step(At, Expect)
{
    public override string Kind => "mmap";

    /// <summary>prot: PROT_READ, PROT_WRITE or both (the default). x86 cannot map write-only, so a write-only mapping reads too.</summary>
    public MmapProt Prot { get; init; } = MmapProt.ReadWrite;
}

/// <summary>The mmap step's prot: read, write or read-write.</summary>
internal enum MmapProt
{
    ReadWrite,
    Read,
    Write,
}

/// <summary>munmap of a whole named mapping.</summary>
internal sealed record MunmapStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task, string Map) : Step(At, Expect)
{
    public override string Kind => "munmap";
}

/// <summary>Loads or stores to each page of a range of a mapping, in order (page faults as needed).</summary>
internal sealed record TouchStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task, string Map, FileOffset Offset, ByteLength Length, bool Write)
    : Step(At, Expect)
{
    public override string Kind => "touch";
}

/// <summary>pread/pwrite of a file range (through dax_iomap_rw).</summary>
internal sealed record FileIoStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string File, FileOffset Offset, ByteLength Length, bool Write)
    : Step(At, Expect)
{
    public override string Kind => Write ? "pwrite" : "pread";
}

/// <summary>
/// fallocate(PUNCH_HOLE|KEEP_SIZE), truncate or unlink of a file, or setxattr (a value of
/// <paramref name="Length"/> bytes) and removexattr of the attribute <paramref name="Name"/>.
/// </summary>
internal sealed record FileChangeStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Operation, string File, FileOffset Offset, ByteLength Length, string? Name = null)
    : Step(At, Expect)
{
    public override string Kind => Operation;
}

/// <summary>cycle-mount (unmount and mount again) or drop-caches (echo 2 &gt; drop_caches).</summary>
internal sealed record CacheStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, bool CycleMount, string? Task = null) : Step(At, Expect)
{
    public override string Kind => CycleMount ? "cycle-mount" : "drop-caches";
}

/// <summary>madvise(MADV_HWPOISON) or madvise(MADV_SOFT_OFFLINE) by a task on a range of its mapping.</summary>
internal sealed record MadviseStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task, string Map, FileOffset Offset, ByteLength Length, bool SoftOffline)
    : Step(At, Expect)
{
    public override string Kind => SoftOffline ? "soft-offline" : "madvise-hwpoison";

    public override bool IsEvent => true;
}

/// <summary>debugfs hwpoison/corrupt-pfn written by a task, or an asynchronous machine check (CMCI/UCNA, as NFIT's ARS reports it).</summary>
internal sealed record PoisonStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, bool MachineCheck, PoisonTarget Target, string? Task)
    : Step(At, Expect)
{
    public override string Kind => MachineCheck ? "machine-check" : "corrupt-pfn";

    public override bool IsEvent => true;
}

/// <summary>A synchronous machine check: the memory behind a task's access goes bad, then the task loads (or stores) it.</summary>
internal sealed record AccessMceStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string Task, string Map, FileOffset Offset, bool Write)
    : Step(At, Expect)
{
    public override string Kind => "access-mce";

    public override bool IsEvent => true;
}

/// <summary>Device unbind (pre-remove on 6.12), written by a task.</summary>
internal sealed record UnbindStep(SourceLocation At, IReadOnlyList<ExpectationBlock> Expect, string? Task) : Step(At, Expect)
{
    public override string Kind => "unbind";

    public override bool IsEvent => true;
}

/// <summary>
/// Where poison lands: a file and offset (the block map at event time, as FIEMAP reports it), a
/// device offset, a pfn, named filesystem metadata, or the pfn a mapping saw at an offset
/// (<see cref="Map"/>: recorded when the page was touched, so still valid after its task exited or
/// the file was deleted).
/// </summary>
internal sealed record PoisonTarget(string? File, FileOffset Offset, ulong? DeviceOffset, ulong? Pfn, string? Metadata, SourceLocation At)
{
    /// <summary>pfn-of a mapping: the mapping's name.</summary>
    public string? Map { get; init; }

    public override string ToString() =>
        Map is not null ? $"the pfn {Map}+{Quantities.FormatSize(Offset.Value)} saw"
        : File is not null ? $"{File}+{Quantities.FormatSize(Offset.Value)}"
        : DeviceOffset is { } d ? $"device offset 0x{d:x}"
        : Pfn is { } p ? $"pfn 0x{p:x}"
        : $"metadata '{Metadata}'" + (Offset.Value == 0 ? "" : $"+{Quantities.FormatSize(Offset.Value)}");
}
