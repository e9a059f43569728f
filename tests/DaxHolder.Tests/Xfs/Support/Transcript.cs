using System.Globalization;
using System.Text;
using DaxHolder.Abstractions;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Tests.Xfs.Support;

/// <summary>
/// Decisions and kernel log lines as compact text, for approved snapshots of XFS scenarios
/// (the scenario reports render them for users; this is the tests' own view).
/// </summary>
internal static class Transcript
{
    public static string Render(string title, IEnumerable<(string Step, IReadOnlyList<Decision> Decisions, IReadOnlyList<string> Log)> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var text = new StringBuilder();
        text.Append("# ").Append(title).Append('\n');
        foreach (var (step, decisions, log) in steps)
        {
            text.Append("\n## ").Append(step).Append('\n');
            foreach (var d in decisions)
            {
                text.Append("  ").Append(Line(d)).Append('\n');
            }

            foreach (var l in log)
            {
                text.Append("  log: ").Append(l).Append('\n');
            }
        }

        return text.ToString();
    }

    public static string Line(Decision decision) => decision switch
    {
        HolderNotified h => $"notify_failure {h.DaxDevice} holder={h.Holder ?? "none"} offset={h.Offset} len={Len(h.Length)} flags={h.Flags.ToKernelString()} -> {h.Result.ToKernelString()}",
        DaxKillProcsCalled k => $"mf_dax_kill_procs ino={k.Inode} index={k.Index} count={k.Count} flags={k.Flags.ToKernelString()} -> {k.Result.ToKernelString()}",
        PageExamined p => $"page ino={p.Inode} index={p.Index} entry={p.Entry}{(p.EntryPfn is { } pfn ? " pfn=" + pfn : "")}",
        PagePoisoned p => $"SetPageHWPoison {p.Pfn}",
        CandidateSkipped c => $"skip {c.Task} vma@{c.VmaStart}: {c.Reason}",
        ProcessCollected c => $"collect {c.Task} addr={c.Address} shift={c.SizeShift}",
        RangeUnmapped r => $"unmap ino={r.Inode} [{r.Start}, +{r.Length}) removed {string.Join(", ", r.Removed.Select(e => $"{e.Task}@{e.Address}/{e.Shift}"))}",
        SignalSent s => $"signal {Signal(s.Signal)}",
        SignalDelivered s => $"delivered {s.Task} sig={s.Signal}: {s.Outcome}",
        FileSystemChanged f => $"fs {f.SuperBlock}: {f.Change}",
        ActionResultRecorded a => $"action_result {a.Pfn} {a.Result}",
        GenericPathTaken g => $"generic path {g.Pfn}: {g.Reason}",
        KernelHealthEvent k => $"health {k.Kind}: {k.Message}",
        FaultFailed f => $"fault failed {f.Task} {f.Address}: {f.Result} ({f.Why})",
        _ => decision.ToString(),
    };

    private static string Signal(SignalRecord s) =>
        $"{Signals.Name(s.Signal)} {Signals.CodeName(s.Code)} to {s.Task} addr={s.Address?.ToString() ?? "-"} lsb={s.AddressLsb}{(s.Forced ? " forced" : "")} {s.Queueing}";

    private static string Len(ByteLength length) =>
        length == ByteLength.Max ? "U64_MAX" : length.Value.ToString(CultureInfo.InvariantCulture);
}
