using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Printk;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Trace;

/// <summary>
/// One decision as the trace keeps it: the decisions a machine takes by the million (a page
/// examined, a <c>mf_dax_kill_procs()</c> call, a process collected, a signal, a printk line, a
/// range unmapped, a candidate skipped, a page poisoned) are held as values in a 40-byte slot
/// of a chunk, not as objects; they become <see cref="Decision"/> records again, equal to the
/// ones recorded, when a report reads them (<see cref="Read"/>). Any other decision is kept
/// as the object it is (<see cref="SlotKind.Boxed"/>). A chunk is one large array that
/// the garbage collector neither copies nor promotes, so holding millions of decisions costs
/// their bytes and nothing per collection.
/// </summary>
internal struct TraceSlot
{
    private const byte HasFirst = 1;
    private const byte HasSecond = 2;

    /// <summary>The boxed decision, or the one reference a compact decision needs (a comm, a log line, a list).</summary>
    private object? reference;
    private ulong a;
    private ulong b;
    private ulong c;
    private int d;
    private short e;
    private SlotKind kind;
    private byte bits;

    public readonly SlotKind Kind => kind;

    /// <summary>The decision this slot holds, as the record that was recorded.</summary>
    /// <param name="unmapped">The trace's entries removed by unmaps, which a compact <see cref="RangeUnmapped"/> indexes.</param>
    /// <param name="log">The machine's log lines, which a <see cref="LogPrinted"/> slot recorded by position indexes.</param>
    public readonly Decision Read(AppendList<UnmappedEntry> unmapped, IReadOnlyList<LogLine>? log) => kind switch
    {
        SlotKind.Boxed => (Decision)reference!,
        SlotKind.PageExamined => new PageExamined(
            new InodeNumber(a),
            new PageIndex(b),
            (bits & HasFirst) != 0 ? new Pfn(c) : null,
            new DaxEntryState((DaxEntryLookup)(d & 0xF), (bits & HasSecond) != 0 ? new Pfn(c) : null, (DaxEntryFlags)((d >> 4) & 0xF), (d & 0x100) != 0)),
        SlotKind.DaxKillProcsCalled => new DaxKillProcsCalled(new InodeNumber(a), new PageIndex(b), new PageCount(c), (MfFlags)(uint)d, (bits & HasFirst) != 0 ? (Errno)e : null),
        SlotKind.ProcessCollected => new ProcessCollected(Task((string)reference!, b), new UserAddress(a), d),
        SlotKind.CandidateSkipped => new CandidateSkipped(Task((string)reference!, b), new UserAddress(a), d switch
        {
            0 => CandidateSkipped.NotEarlyKill,
            1 => CandidateSkipped.NoUserAddress,
            _ => CandidateSkipped.NotMappedAt(new UserAddress(c)),
        }),
        SlotKind.SignalSent => new SignalSent(new SignalRecord(
            Task((string)reference!, b),
            d & 0xFF,
            (d >> 8) & 0xFF,
            (bits & HasFirst) != 0 ? new UserAddress(a) : null,
            (d >> 16) & 0xFF,
            (bits & HasSecond) != 0,
            (SignalQueueing)((d >> 24) & 0x7F))),
        SlotKind.LogPrinted => new LogPrinted(reference as LogLine ?? log![(int)a]),
        SlotKind.RangeUnmapped => new RangeUnmapped(new InodeNumber(a), new FileOffset(b), new ByteLength(c), unmapped.Slice(d, e)),
        SlotKind.PagePoisoned => new PagePoisoned(new Pfn(a)),
        SlotKind.ActionResultRecorded => new ActionResultRecorded(new Pfn(a), (MfActionResult)d) { PageType = (string)reference! },
        SlotKind.BadblocksChanged => new BadblocksChanged((string)reference!, a, b, (bits & HasFirst) != 0),
        SlotKind.GenericPathTaken => new GenericPathTaken(new Pfn(a), (string)reference!),
        SlotKind.HolderNotified => new HolderNotified(((HolderNames)reference!).DaxDevice, ((HolderNames)reference!).Holder, new DeviceOffset(a), new ByteLength(b), (MfFlags)(uint)d, (bits & HasFirst) != 0 ? (Errno)e : null),
        SlotKind.RmapQueried => new RmapQueried((string)reference!, new DeviceExtent(new DeviceOffset(a), new ByteLength(b)), (bits & HasFirst) != 0 ? d : null),
        _ => throw new InvalidOperationException($"trace slot of kind {kind}"),
    };

    /// <summary>The slot for <paramref name="decision"/>: compact when it is one of the kinds held as values and its values fit, else the object itself.</summary>
    public static TraceSlot Of(Decision decision) => decision switch
    {
        PageExamined p => OfPageExamined(p.Inode, p.Index, p.EntryPfn, p.Found),
        DaxKillProcsCalled k => OfDaxKillProcsCalled(k.Inode, k.Index, k.Count, k.Flags, k.Result) is { } slot ? slot : Box(k),
        ProcessCollected p => OfProcessCollected(p.Task, p.Address, p.SizeShift),
        CandidateSkipped s => s.Reason switch
        {
            CandidateSkipped.NotEarlyKill => OfCandidateSkipped(s.Task, s.VmaStart, 0, default),
            CandidateSkipped.NoUserAddress => OfCandidateSkipped(s.Task, s.VmaStart, 1, default),
            _ => Box(s),
        },
        SignalSent s => OfSignalSent(s.Signal),
        LogPrinted l => new TraceSlot { kind = SlotKind.LogPrinted, reference = l.Line },
        PagePoisoned p => OfPagePoisoned(p.Pfn),
        ActionResultRecorded r => OfActionResultRecorded(r.Pfn, r.Result, r.PageType),
        BadblocksChanged b => OfBadblocksChanged(b.Disk, b.FirstSector, b.Sectors, b.Added),
        GenericPathTaken g => new TraceSlot { kind = SlotKind.GenericPathTaken, a = g.Pfn.Value, reference = g.Reason },
        RmapQueried q => OfRmapQueried(q.Plugin, q.Range, q.Found),
        _ => Box(decision),
    };

    public static TraceSlot OfActionResultRecorded(Pfn pfn, MfActionResult result, string pageType) =>
        new() { kind = SlotKind.ActionResultRecorded, a = pfn.Value, d = (int)result, reference = pageType };

    public static TraceSlot OfBadblocksChanged(string disk, ulong firstSector, ulong sectors, bool added) =>
        new() { kind = SlotKind.BadblocksChanged, reference = disk, a = firstSector, b = sectors, bits = added ? HasFirst : (byte)0 };

    public static TraceSlot Box(Decision decision) => new() { kind = SlotKind.Boxed, reference = decision };

    public static TraceSlot OfPageExamined(InodeNumber inode, PageIndex index, Pfn? entryPfn, DaxEntryState found)
    {
        if ((entryPfn is { } entry && found.Pfn is { } own && entry != own) || (uint)found.Lookup > 0xF || (uint)found.Flags > 0xF)
        {
            return Box(new PageExamined(inode, index, entryPfn, found));
        }

        return new TraceSlot
        {
            kind = SlotKind.PageExamined,
            a = inode.Value,
            b = index.Value,
            c = (entryPfn ?? found.Pfn)?.Value ?? 0,
            d = (int)found.Lookup | ((int)found.Flags << 4) | (found.Dirty ? 0x100 : 0),
            bits = (byte)((entryPfn is null ? 0 : HasFirst) | (found.Pfn is null ? 0 : HasSecond)),
        };
    }

    /// <summary>A <c>mf_dax_kill_procs()</c> call; null when its result does not fit the slot.</summary>
    public static TraceSlot? OfDaxKillProcsCalled(InodeNumber inode, PageIndex index, PageCount count, MfFlags flags, Errno? result)
    {
        var slot = new TraceSlot { kind = SlotKind.DaxKillProcsCalled, a = inode.Value, b = index.Value, c = count.Value, d = (int)(uint)flags };
        return result is null || slot.TryReturn(result.Value) ? slot : null;
    }

    /// <summary>A dax_holder_notify_failure() call; null when its result does not fit the slot.</summary>
    public static TraceSlot? OfHolderNotified(HolderNames names, DeviceOffset offset, ByteLength length, MfFlags flags, Errno? result)
    {
        var slot = new TraceSlot { kind = SlotKind.HolderNotified, reference = names, a = offset.Value, b = length.Value, d = (int)(uint)flags };
        return result is null || slot.TryReturn(result.Value) ? slot : null;
    }

    public static TraceSlot OfRmapQueried(string plugin, DeviceExtent range, int? found)
    {
        var slot = new TraceSlot { kind = SlotKind.RmapQueried, reference = plugin, a = range.Start.Value, b = range.Length.Value };
        if (found is { } count)
        {
            slot.SetFound(count);
        }

        return slot;
    }

    public static TraceSlot OfProcessCollected(TaskName task, UserAddress address, int sizeShift) =>
        new() { kind = SlotKind.ProcessCollected, reference = task.Comm, a = address.Value, b = Pack(task), d = sizeShift };

    /// <summary>A candidate skipped for reason 0 (not early kill), 1 (no user address) or 2 (not mapped at <paramref name="at"/>).</summary>
    public static TraceSlot OfCandidateSkipped(TaskName task, UserAddress vmaStart, int reason, UserAddress at) =>
        new() { kind = SlotKind.CandidateSkipped, reference = task.Comm, a = vmaStart.Value, b = Pack(task), c = at.Value, d = reason };

    public static TraceSlot OfSignalSent(SignalRecord signal) =>
        OfSignalSent(signal.Task, signal.Signal, signal.Code, signal.Address, signal.AddressLsb, signal.Forced, signal.Queueing);

    /// <summary>A signal sent, from its values (<see cref="SignalRecord"/>'s): a signal that was not queued needs no record at all.</summary>
    public static TraceSlot OfSignalSent(TaskName task, int signal, int code, UserAddress? address, int lsb, bool forced, SignalQueueing queueing)
    {
        if ((uint)signal > 0xFF || (uint)code > 0xFF || (uint)lsb > 0xFF || (uint)queueing > 0x7F)
        {
            return Box(new SignalSent(new SignalRecord(task, signal, code, address, lsb, forced, queueing)));
        }

        return new TraceSlot
        {
            kind = SlotKind.SignalSent,
            reference = task.Comm,
            a = address?.Value ?? 0,
            b = Pack(task),
            d = signal | (code << 8) | (lsb << 16) | ((int)queueing << 24),
            bits = (byte)((address is null ? 0 : HasFirst) | (forced ? HasSecond : 0)),
        };
    }

    public static TraceSlot OfPagePoisoned(Pfn pfn) => new() { kind = SlotKind.PagePoisoned, a = pfn.Value };

    /// <summary>
    /// A printk line by its position in the machine's log: no reference in the slot. A chunk is a
    /// large, old array, and every young object it points at is a card the collector scans at each
    /// collection (half a million log lines made a pre-remove's collections twice as long).
    /// </summary>
    public static TraceSlot OfLogPrinted(int position) => new() { kind = SlotKind.LogPrinted, a = (ulong)position };

    /// <summary>An unmap whose <paramref name="count"/> removed entries are the trace's from <paramref name="first"/> on.</summary>
    public static TraceSlot OfRangeUnmapped(InodeNumber inode, FileOffset start, ByteLength length, int first, short count) =>
        new() { kind = SlotKind.RangeUnmapped, a = inode.Value, b = start.Value, c = length.Value, d = first, e = count };

    /// <summary>The first of a compact <see cref="RangeUnmapped"/>'s entries in the trace's list of them, or null for any other slot.</summary>
    public readonly int? UnmappedFrom => kind == SlotKind.RangeUnmapped ? d : null;

    /// <summary>A call recorded here returned <paramref name="result"/>: false when the slot cannot hold it (then the caller boxes the call).</summary>
    public bool TryReturn(Errno result)
    {
        if (kind is not (SlotKind.DaxKillProcsCalled or SlotKind.HolderNotified) || (int)result < short.MinValue || (int)result > short.MaxValue)
        {
            return false;
        }

        e = (short)result;
        bits |= HasFirst;
        return true;
    }

    /// <summary>An rmap query's walk moved on having visited <paramref name="found"/> records.</summary>
    public void SetFound(int found)
    {
        if (kind != SlotKind.RmapQueried)
        {
            throw new InvalidOperationException($"trace slot of kind {kind} has no record count");
        }

        d = found;
        bits |= HasFirst;
    }

    private static ulong Pack(TaskName task) => ((ulong)(uint)task.Pid << 32) | (uint)task.Tid;

    private static TaskName Task(string comm, ulong packed) => new(comm, (int)(uint)(packed >> 32), (int)(uint)packed);
}

/// <summary>What a <see cref="TraceSlot"/> holds.</summary>
internal enum SlotKind : byte
{
    Boxed,
    PageExamined,
    DaxKillProcsCalled,
    ProcessCollected,
    CandidateSkipped,
    SignalSent,
    LogPrinted,
    RangeUnmapped,
    PagePoisoned,
    ActionResultRecorded,
    BadblocksChanged,
    GenericPathTaken,
    HolderNotified,
    RmapQueried,
}

/// <summary>The dax device and holder a <see cref="HolderNotified"/> names: one per pair, shared by every call's slot.</summary>
internal sealed record HolderNames(string DaxDevice, string? Holder);
