using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// Turns each kind of <see cref="Decision"/> into a <see cref="DecisionView"/>: one line in the
/// kernel's vocabulary (function names, flag names, errno names) and the same facts as fields. The
/// only renderer of decisions: text and JSON reports both take their views from here.
/// </summary>
internal static class DecisionFormatter
{
    /// <summary>The views of a step's records in trace order; log lines are not decisions (reports print them apart).</summary>
    public static IEnumerable<DecisionView> Format(IEnumerable<Decision> decisions) =>
        decisions.Where(d => d is not LogPrinted).Select(Format);

    public static DecisionView Format(Decision decision) => decision switch
    {
        HolderNotified h => View("holder", $"{h.DaxDevice}: dax_holder_notify_failure(offset {h.Offset}, len {h.Length}, {h.Flags.ToKernelString()}) -> {h.Holder ?? "no holder"} = {Returned(h.Result)}",
            ("dax_device", h.DaxDevice), ("holder", h.Holder), ("offset", h.Offset.Value), ("length", h.Length.Value), ("flags", h.Flags.ToKernelString()), ("result", h.Result?.ToKernelString())),
        RmapQueried q => new DecisionView("rmap-query", q.Found == 0 ? $"{q.Range}: no records (free space)" : null,
            Fields(("plugin", q.Plugin), ("start", q.Range.Start.Value), ("length", q.Range.Length.Value), ("found", q.Found))),
        RmapRecordVisited r => Rmap(r),
        RmapRecordsElided e => View("rmap", $"... and {e.Count} more records", ("plugin", e.Plugin), ("more", e.Count)),
        PluginFaulted p => View("plugin-fault", $"{p.Plugin}: {p.Call} threw ({p.Problem}); returned {p.Returned.ToKernelString()}",
            ("plugin", p.Plugin), ("call", p.Call), ("problem", p.Problem), ("returned", p.Returned.ToKernelString())),
        GenericPathTaken g => View("generic", $"pfn {g.Pfn}: mf_generic_kill_procs ({g.Reason})", ("pfn", g.Pfn.Value), ("reason", g.Reason)),
        DaxKillProcsCalled k => View("mf_dax_kill_procs", $"inode {k.Inode} index {k.Index} count {k.Count} ({k.Flags.ToKernelString()}) = {Returned(k.Result)}",
            ("inode", k.Inode.Value), ("index", k.Index.Value), ("count", k.Count.Value), ("flags", k.Flags.ToKernelString()), ("result", k.Result?.ToKernelString())),
        PageExamined p => View("page", $"inode {p.Inode} index {p.Index}: {p.Entry}{(p.EntryPfn is { } pfn && !p.Entry.Contains(pfn.ToString(), StringComparison.Ordinal) ? $" pfn {pfn}" : "")}",
            ("inode", p.Inode.Value), ("index", p.Index.Value), ("entry", p.Entry), ("pfn", p.EntryPfn?.Value)),
        PageNotLocked p => View("page", $"pfn {p.Pfn}: {p.Reason}", ("pfn", p.Pfn.Value), ("reason", p.Reason)),
        PagePoisoned p => View("poisoned", $"pfn {p.Pfn}: SetPageHWPoison", ("pfn", p.Pfn.Value)),
        CandidateSkipped c => View("skipped", $"{c.Task} vma {c.VmaStart}: {c.Reason}", ("task", c.Task.ToString()), ("vma", c.VmaStart.Value), ("reason", c.Reason)),
        ProcessCollected c => View("collected", $"{c.Task} addr {c.Address} shift {c.SizeShift}", ("task", c.Task.ToString()), ("address", c.Address.Value), ("shift", c.SizeShift)),
        RangeUnmapped r => View("unmapped", $"inode {r.Inode} [{r.Start}, +{r.Length}): {(r.Removed.Count == 0 ? "no entries" : string.Join(", ", r.Removed.Select(e => $"{e.Task} {e.Address} shift {e.Shift}")))}",
            ("inode", r.Inode.Value), ("start", r.Start.Value), ("length", r.Length.Value), ("removed", r.Removed.Select(e => $"{e.Task} {e.Address} shift {e.Shift}").ToList())),
        LayoutBroken l => View("layout-broken", $"inode {l.Inode}: {(l.Removed.Count == 0 ? "no entries mapped" : "unmapped " + string.Join(", ", l.Removed.Select(e => $"{e.Task} {e.Address} shift {e.Shift}")))}{(l.EntriesDeleted switch { 0 => "", 1 => "; 1 DAX entry deleted", var n => $"; {n} DAX entries deleted" })}",
            ("inode", l.Inode.Value), ("removed", l.Removed.Select(e => $"{e.Task} {e.Address} shift {e.Shift}").ToList()), ("entries_deleted", l.EntriesDeleted)),
        SignalSent s => Signal(s.Signal),
        SignalDelivered d => View("delivered", $"{Signals.Name(d.Signal)} to {d.Task}: {d.Outcome}", ("task", d.Task.ToString()), ("signal", Signals.Name(d.Signal)), ("outcome", d.Outcome)),
        FileSystemChanged f => View("fs", $"{f.SuperBlock}: {f.Change}", ("superblock", f.SuperBlock), ("change", f.Change)),
        KernelHealthEvent k => View("health", $"{k.Kind.ToString().ToUpperInvariant()}: {k.Message}{(k.CallChain.Count == 0 ? "" : $" [{string.Join(" <- ", k.CallChain)}]")}",
            ("level", k.Kind.ToString().ToLowerInvariant()), ("message", k.Message), ("call_chain", k.CallChain)),
        ActionResultRecorded a => View("action_result", a.PageType == ActionResultRecorded.DaxPage ? $"pfn {a.Pfn}: {a.Result}" : $"pfn {a.Pfn}: {a.PageType}: {a.Result}",
            ("pfn", a.Pfn.Value), ("page", a.PageType), ("result", a.Result.ToString())),
        BadblocksChanged b => View("badblocks", $"{b.Disk}: {(b.Added ? "added" : "cleared")} sector {b.FirstSector.ToString(CultureInfo.InvariantCulture)} len {b.Sectors.ToString(CultureInfo.InvariantCulture)}",
            ("disk", b.Disk), ("sector", b.FirstSector), ("sectors", b.Sectors), ("added", b.Added)),
        TeardownStep t => View("teardown", $"{t.Step}: {t.Detail}", ("step", t.Step), ("detail", t.Detail)),
        ProcessExited p => View("exited", $"{p.Task}: {p.Reason}", ("task", p.Task.ToString()), ("reason", p.Reason)),
        FaultFailed f => View("fault", $"{f.Task} at {f.Address}: {f.Result}{(f.Why is null ? "" : $" ({f.Why})")}", ("task", f.Task.ToString()), ("address", f.Address.Value), ("result", f.Result), ("why", f.Why)),
        NotModelled n => View("not-modelled", n.What, ("what", n.What)),
        FileBuiltByMkfs f => View("file", $"{f.Path}: {Quantities.FormatSize(f.Size.Value)} built into the image by mkfs.{f.FileSystemType} ({f.Content})",
            ("path", f.Path), ("size", f.Size.Value), ("content", f.Content)),
        FileCloned c => View("file", $"cp --reflink={(c.Fallback ? "auto" : "always")} {c.Source} {c.Destination}: FICLONE = {c.Result.ToKernelString()}, {(c.Result == Errno.Ok ? "every block shared" : c.Fallback ? "copied into new blocks" : $"{c.Destination} left empty")}",
            ("source", c.Source), ("destination", c.Destination), ("result", c.Result.ToKernelString())),
        FileRangeCloned c => View("file", $"FICLONERANGE {c.Source}+{c.SourceOffset} -> {c.Destination}+{c.Offset} len {c.Length} = {c.Result.ToKernelString()}, {(c.Result == Errno.Ok ? "shared" : c.Fallback ? "written into new blocks instead" : "the range left as it was")}",
            ("source", c.Source), ("source_offset", c.SourceOffset.Value), ("destination", c.Destination), ("offset", c.Offset.Value), ("length", c.Length.Value), ("result", c.Result.ToKernelString())),
        _ => View("other", decision.ToString() ?? decision.GetType().Name, ("text", decision.ToString() ?? decision.GetType().Name)),
    };

    /// <summary>A call's return value, or what became of a call that never returned (a plugin fault ended it).</summary>
    private static string Returned(Errno? result) => result?.ToKernelString() ?? "(did not return)";

    private static DecisionView Rmap(RmapRecordVisited visited)
    {
        var r = visited.Record;
        var skipped = visited.Visit switch
        {
            RmapVisit.NotInCore => " (not in core)",
            RmapVisit.NotDax => " (not DAX)",
            _ => "",
        };
        var owner = r.Owner.Inode is { } ino ? $"inode {ino} offset {r.FileOffset}{skipped}" : $"metadata {r.Owner.Metadata}";
        var flags = r.Flags == RmapRecordFlags.None ? "" : $" [{r.Flags}]";
        return View("rmap", $"{r.Extent} {owner}{flags}",
            ("plugin", visited.Plugin), ("start", r.Extent.Start.Value), ("length", r.Extent.Length.Value), ("owner", r.Owner.ToString()), ("file_offset", r.FileOffset?.Value), ("flags", r.Flags.ToString()), ("visit", visited.Visit.ToString()));
    }

    private static DecisionView Signal(SignalRecord s)
    {
        var code = Signals.CodeName(s.Signal, s.Code);
        var address = s.Address is { } a ? $" addr {a}" : "";
        var lsb = s.Code is Signals.BUS_MCEERR_AR or Signals.BUS_MCEERR_AO ? $" lsb {s.AddressLsb.ToString(CultureInfo.InvariantCulture)}" : "";
        var queueing = s.Queueing switch
        {
            SignalQueueing.Queued => "queued",
            SignalQueueing.AlreadyPending => "not queued: already pending",
            SignalQueueing.Ignored => "dropped: ignored",
            _ => "-ESRCH: no such process",
        };
        return View("signal", $"{Signals.Name(s.Signal)} {code} -> {s.Task}{address}{lsb} {(s.Forced ? "forced" : "not forced")}, {queueing}",
            ("task", s.Task.ToString()), ("pid", s.Task.Pid), ("tid", s.Task.Tid), ("signal", Signals.Name(s.Signal)), ("si_code", code),
            ("si_addr", s.Address?.Value), ("si_addr_lsb", s.AddressLsb), ("forced", s.Forced), ("queueing", queueing));
    }

    private static DecisionView View(string kind, string text, params (string Key, object? Value)[] fields) => new(kind, text, Fields(fields));

    private static List<KeyValuePair<string, object?>> Fields(params (string Key, object? Value)[] fields) =>
        fields.Select(f => new KeyValuePair<string, object?>(f.Key, f.Value)).ToList();
}
