using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Printk;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Trace;

/// <summary>
/// The decisions one machine has taken, in the order the kernel walked them, like a tracepoint
/// buffer. A call is recorded where it was made (<see cref="Enter"/>) and completed with its return
/// value when it returns (<see cref="Return"/>), so what the callee did follows the call line.
/// Every step of a scenario takes the slice it produced. The decisions taken by the million are
/// kept as values (<see cref="TraceSlot"/>) and read back as the records that were recorded; the
/// hot paths record them without building the record at all (<see cref="PageExamined"/> and the
/// methods beside it).
/// </summary>
internal sealed class DecisionTrace
{
    /// <summary>At most this many rmap records are kept per notify_failure call; the rest are counted.</summary>
    public const int RmapListed = 16;

    private readonly AppendList<TraceSlot> slots = new();

    /// <summary>The page-table entries every compact <see cref="Trace.RangeUnmapped"/> removed, in order: held here, not in an array per decision.</summary>
    private readonly AppendList<UnmappedEntry> unmapped = new();

    private readonly Dictionary<(string DaxDevice, string? Holder), HolderNames> holders = [];
    private readonly Stack<RmapWalk> walks = new();

    /// <summary>The machine's log, whose lines <see cref="LogPrinted(IReadOnlyList{LogLine}, int)"/> records by position.</summary>
    private IReadOnlyList<LogLine>? log;

    public DecisionTrace()
    {
        All = new View(this);
    }

    /// <summary>Every decision so far, each read back as its record when it is indexed.</summary>
    public IReadOnlyList<Decision> All { get; }

    public int Mark => slots.Count;

    public void Add(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        switch (decision)
        {
            case RangeUnmapped r:
                RangeUnmapped(r.Inode, r.Start, r.Length, r.Removed);
                return;
            case HolderNotified h:
                slots.Add(TraceSlot.OfHolderNotified(Names(h.DaxDevice, h.Holder), h.Offset, h.Length, h.Flags, h.Result) ?? TraceSlot.Box(h));
                return;
        }

        slots.Add(TraceSlot.Of(decision));
    }

    /// <summary>Records a call as it is made; <see cref="Return"/> fills in its result at the same place.</summary>
    public int Enter(Decision call)
    {
        Add(call);
        return slots.Count - 1;
    }

    /// <summary>mm/memory-failure.c: mf_dax_kill_procs() is called (<see cref="DaxKillProcsCalled"/>); <see cref="Return"/> completes it.</summary>
    public int EnterDaxKillProcs(InodeNumber inode, PageIndex index, PageCount count, MfFlags flags)
    {
        slots.Add(TraceSlot.OfDaxKillProcsCalled(inode, index, count, flags, null)!.Value);
        return slots.Count - 1;
    }

    /// <summary>drivers/dax/super.c: dax_holder_notify_failure() is called (<see cref="HolderNotified"/>); <see cref="Return"/> completes it.</summary>
    public int EnterHolderNotify(string daxDevice, string? holder, DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        slots.Add(TraceSlot.OfHolderNotified(Names(daxDevice, holder), offset, length, flags, null)!.Value);
        return slots.Count - 1;
    }

    /// <summary>The call recorded at <paramref name="slot"/> (by <see cref="Enter"/>) returned <paramref name="result"/>: its record is completed in place.</summary>
    public void Return(int slot, Errno result)
    {
        ref var at = ref slots.At(slot);
        if (at.Kind is SlotKind.DaxKillProcsCalled or SlotKind.HolderNotified)
        {
            if (!at.TryReturn(result))
            {
                var call = Read(slot);
                at = TraceSlot.Box(call);
                Return(slot, result);
            }

            return;
        }

        switch (at.Kind == SlotKind.Boxed ? Read(slot) : null)
        {
            case HolderNotified call:
                call.Result = result;
                break;
            case DaxKillProcsCalled call:
                call.Result = result;
                break;
            default:
                throw new InvalidOperationException($"trace slot {slot} holds {Read(slot).GetType().Name}, not a call that returns an errno");
        }
    }

    /// <summary>A page index looked at by mf_dax_kill_procs() or the generic path (<see cref="Trace.PageExamined"/>).</summary>
    public void PageExamined(InodeNumber inode, PageIndex index, Pfn? entryPfn, DaxEntryState found) =>
        slots.Add(TraceSlot.OfPageExamined(inode, index, entryPfn, found));

    /// <summary>A to_kill entry (<see cref="Trace.ProcessCollected"/>).</summary>
    public void ProcessCollected(TaskName task, UserAddress address, int sizeShift) =>
        slots.Add(TraceSlot.OfProcessCollected(task, address, sizeShift));

    /// <summary>A candidate whose page is not mapped at <paramref name="address"/> (<see cref="CandidateSkipped.NotMappedAt"/>).</summary>
    public void CandidateNotMapped(TaskName task, UserAddress vmaStart, UserAddress address) =>
        slots.Add(TraceSlot.OfCandidateSkipped(task, vmaStart, 2, address));

    /// <summary>A process that maps the page but is not a candidate (<see cref="CandidateSkipped.NotEarlyKill"/>).</summary>
    public void CandidateNotEarlyKill(TaskName task, UserAddress vmaStart) =>
        slots.Add(TraceSlot.OfCandidateSkipped(task, vmaStart, 0, default));

    /// <summary>A candidate with no user address for the page, skipped (<see cref="CandidateSkipped.NoUserAddress"/>).</summary>
    public void CandidateNoUserAddress(TaskName task, UserAddress vmaStart) =>
        slots.Add(TraceSlot.OfCandidateSkipped(task, vmaStart, 1, default));

    /// <summary>action_result() (<see cref="Trace.ActionResultRecorded"/>).</summary>
    public void ActionResultRecorded(Pfn pfn, MfActionResult result, string pageType) =>
        slots.Add(TraceSlot.OfActionResultRecorded(pfn, result, pageType));

    /// <summary>A device's badblocks list gained or lost sectors (<see cref="Trace.BadblocksChanged"/>).</summary>
    public void BadblocksChanged(string disk, ulong firstSector, ulong sectors, bool added) =>
        slots.Add(TraceSlot.OfBadblocksChanged(disk, firstSector, sectors, added));

    /// <summary>A signal sent or not queued, from its values (<see cref="Trace.SignalSent"/>): a signal that was not queued needs no <see cref="SignalRecord"/>.</summary>
    public void SignalSent(TaskName task, int signal, int code, UserAddress? address, int lsb, bool forced, SignalQueueing queueing) =>
        slots.Add(TraceSlot.OfSignalSent(task, signal, code, address, lsb, forced, queueing));

    /// <summary>SetPageHWPoison() on a page (<see cref="Trace.PagePoisoned"/>).</summary>
    public void PagePoisoned(Pfn pfn) => slots.Add(TraceSlot.OfPagePoisoned(pfn));

    /// <summary>
    /// The printk line at <paramref name="position"/> of <paramref name="log"/> (the machine's one
    /// log, which only grows), recorded by its position (<see cref="TraceSlot.OfLogPrinted(int)"/>).
    /// </summary>
    public void LogPrinted(IReadOnlyList<LogLine> log, int position)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!ReferenceEquals(this.log ??= log, log))
        {
            throw new InvalidOperationException("a trace records the lines of one log");
        }

        slots.Add(TraceSlot.OfLogPrinted(position));
    }

    /// <summary>unmap_mapping_range() and what it removed (<see cref="Trace.RangeUnmapped"/>): the entries are copied, so the caller may reuse its list.</summary>
    public void RangeUnmapped(InodeNumber inode, FileOffset start, ByteLength length, IReadOnlyList<UnmappedEntry> removed)
    {
        ArgumentNullException.ThrowIfNull(removed);
        if (removed.Count > short.MaxValue || unmapped.Count > int.MaxValue - removed.Count)
        {
            slots.Add(TraceSlot.Box(new RangeUnmapped(inode, start, length, [.. removed])));
            return;
        }

        var first = unmapped.Count;
        for (var i = 0; i < removed.Count; i++)
        {
            unmapped.Add(removed[i]);
        }

        slots.Add(TraceSlot.OfRangeUnmapped(inode, start, length, first, (short)removed.Count));
    }

    /// <summary>A holder's notify_failure starts: the rmap queries and records it traces belong to it.</summary>
    public void BeginRmapWalk(string plugin) => walks.Push(new RmapWalk(plugin));

    /// <summary>The notify_failure call returned (or faulted): its last query's count is filled in and records past the cap are counted.</summary>
    public void EndRmapWalk()
    {
        if (!walks.TryPop(out var walk))
        {
            return;
        }

        CloseQuery(walk);
        if (walk.Visited > RmapListed)
        {
            Add(new RmapRecordsElided(walk.Plugin, walk.Visited - RmapListed));
        }
    }

    /// <summary>The walking holder queries its reverse map over <paramref name="range"/>; false outside any notify_failure call.</summary>
    public bool RmapQuery(DeviceExtent range)
    {
        if (!walks.TryPeek(out var walk))
        {
            return false;
        }

        CloseQuery(walk);
        slots.Add(TraceSlot.OfRmapQueried(walk.Plugin, range, null));
        walk.QuerySlot = slots.Count - 1;
        walk.Found = 0;
        return true;
    }

    /// <summary>The walking holder visited <paramref name="record"/>, kept while under the cap; false outside any notify_failure call.</summary>
    public bool RmapRecord(RmapRecord record, RmapVisit visit) => RmapRecord(record, static r => r, visit);

    /// <summary>
    /// The walking holder visited a record, made from <paramref name="state"/> by
    /// <paramref name="record"/> and kept only while the walk is under the cap (later records are
    /// counted, not made); false outside any notify_failure call.
    /// </summary>
    public bool RmapRecord<TState>(TState state, Func<TState, RmapRecord> record, RmapVisit visit)
    {
        if (!walks.TryPeek(out var walk))
        {
            return false;
        }

        walk.Found++;
        if (++walk.Visited <= RmapListed)
        {
            Add(new RmapRecordVisited(walk.Plugin, record(state), visit));
        }

        return true;
    }

    /// <summary>The decisions from <paramref name="mark"/> on, read back as records.</summary>
    public IReadOnlyList<Decision> Since(int mark)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(mark);
        var result = new List<Decision>(Math.Max(0, slots.Count - mark));
        for (var i = mark; i < slots.Count; i++)
        {
            result.Add(Read(i));
        }

        return result;
    }

    /// <summary>Forgets the decisions after <paramref name="mark"/>: bench/ replays a read-only walk without growing the trace.</summary>
    internal void TruncateTo(int mark)
    {
        for (var i = mark; i < slots.Count; i++)
        {
            if (slots.At(i).UnmappedFrom is { } first)
            {
                unmapped.TruncateTo(first);
                break;
            }
        }

        slots.TruncateTo(mark);
    }

    private Decision Read(int index) => slots.At(index).Read(unmapped, log);

    private HolderNames Names(string daxDevice, string? holder)
    {
        if (!holders.TryGetValue((daxDevice, holder), out var names))
        {
            names = new HolderNames(daxDevice, holder);
            holders.Add((daxDevice, holder), names);
        }

        return names;
    }

    private void CloseQuery(RmapWalk walk)
    {
        if (walk.QuerySlot is { } slot)
        {
            slots.At(slot).SetFound(walk.Found);
            walk.QuerySlot = null;
        }
    }

    /// <summary>The trace read as a list: each index reads its slot back as a record.</summary>
    private sealed class View(DecisionTrace trace) : IReadOnlyList<Decision>
    {
        public int Count => trace.slots.Count;

        public Decision this[int index] => trace.Read(index);

        public IEnumerator<Decision> GetEnumerator()
        {
            for (var i = 0; i < trace.slots.Count; i++)
            {
                yield return trace.Read(i);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>One notify_failure call's walk: its open query and how many records it visited.</summary>
    private sealed class RmapWalk(string plugin)
    {
        public string Plugin { get; } = plugin;

        public int? QuerySlot { get; set; }

        public int Found { get; set; }

        public int Visited { get; set; }
    }
}
