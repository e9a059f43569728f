using System.Globalization;
using System.Text;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using static DaxHolder.Scenarios.Reports.Html.HtmlText;

namespace DaxHolder.Scenarios.Reports.Html;

/// <summary>
/// A run's tasks and what each got: one row per task (the scenario's names, comm, tgid and tid, as
/// the last map took them; without a map, every task a decision names), the signals sent to it
/// (signal, si_code, si_addr, si_addr_lsb, forced, queued or not, and in which step), what their
/// delivery did, and how it ended.
/// </summary>
internal static class ProcessTable
{
    private sealed class Row(string name, string comm, int pid, int tid)
    {
        public string Name { get; } = name;

        public string Comm { get; } = comm;

        public int Pid { get; } = pid;

        public int Tid { get; } = tid;

        public string? Exit { get; set; }

        /// <summary>How the last map says it ended, for an exit no decision recorded (an exit step).</summary>
        public string? Ended { get; init; }

        public List<string> Signals { get; } = [];

        public List<string> Delivered { get; } = [];
    }

    public static void Render(StringBuilder html, RunReport run)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(run);
        var rows = Rows(run);
        if (rows.Count == 0)
        {
            html.Append("<p class=\"dim\">no tasks</p>\n");
            return;
        }

        foreach (var step in run.Steps)
        {
            var label = StepLabel(step);
            foreach (var decision in step.Decisions)
            {
                switch (decision)
                {
                    case SignalSent s when Find(rows, s.Signal.Task) is { } row:
                        row.Signals.Add($"{label}: {Signal(s.Signal)}");
                        break;
                    case SignalDelivered d when Find(rows, d.Task) is { } row:
                        row.Delivered.Add($"{label}: {Signals.Name(d.Signal)}: {d.Outcome}");
                        break;
                    case ProcessExited p:
                        foreach (var member in rows.Where(r => r.Pid == p.Task.Pid && r.Exit is null))
                        {
                            member.Exit = $"{label}: {p.Reason}";
                        }

                        break;
                }
            }
        }

        foreach (var row in rows.Where(r => r.Exit is null))
        {
            row.Exit = row.Ended;
        }

        html.Append("<table class=\"procs\">\n<thead><tr><th>task</th><th>comm</th><th>pid</th><th>tid</th><th>signals sent</th><th>delivered</th><th>exit</th></tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            var got = row.Signals.Count > 0 ? " class=\"got\"" : "";
            html.Append(CultureInfo.InvariantCulture, $"<tr{got}><td>{H(row.Name)}</td><td>{H(row.Comm)}</td><td>{row.Pid.ToString(CultureInfo.InvariantCulture)}</td><td>{row.Tid.ToString(CultureInfo.InvariantCulture)}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td>{Lines(row.Signals)}</td><td>{Lines(row.Delivered)}</td><td>{(row.Exit is null ? "<span class=\"dim\">alive</span>" : H(row.Exit))}</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    /// <summary>"event 11 madvise-hwpoison", "setup", "step 3 fork".</summary>
    public static string StepLabel(StepReport step) =>
        step.Number == 0 ? "setup" : $"{(step.IsEvent ? "event" : "step")} {step.Number.ToString(CultureInfo.InvariantCulture)} {step.Kind}";

    private static List<Row> Rows(RunReport run)
    {
        if (run.Steps.LastOrDefault(s => s.Map is not null)?.Map is { } map)
        {
            return [.. map.Tasks.Select(t => new Row(t.Name, t.Comm, t.Pid, t.Tid) { Ended = t.Exited ? t.ExitReason ?? "exited" : null })];
        }

        var named = run.Steps.SelectMany(s => s.Decisions).SelectMany(d => d switch
        {
            SignalSent s => [s.Signal.Task],
            SignalDelivered s => [s.Task],
            ProcessExited p => [p.Task],
            ProcessCollected c => [c.Task],
            CandidateSkipped c => new[] { c.Task },
            _ => [],
        });
        return [.. named.Distinct().OrderBy(t => t.Pid).ThenBy(t => t.Tid).Select(t => new Row(t.ToString(), t.Comm, t.Pid, t.Tid))];
    }

    private static Row? Find(List<Row> rows, TaskName task) => rows.FirstOrDefault(r => r.Pid == task.Pid && r.Tid == task.Tid);

    private static string Signal(SignalRecord s)
    {
        var parts = new List<string> { Signals.Name(s.Signal), Signals.CodeName(s.Signal, s.Code) };
        if (s.Address is { } address)
        {
            parts.Add($"addr {address}");
        }

        if (s.Code is Signals.BUS_MCEERR_AR or Signals.BUS_MCEERR_AO)
        {
            parts.Add($"lsb {s.AddressLsb.ToString(CultureInfo.InvariantCulture)}");
        }

        var queueing = s.Queueing switch
        {
            SignalQueueing.Queued => "queued",
            SignalQueueing.AlreadyPending => "not queued: already pending",
            SignalQueueing.Ignored => "dropped: ignored",
            _ => "-ESRCH",
        };
        return $"{string.Join(' ', parts)}, {(s.Forced ? "forced" : "not forced")}, {queueing}";
    }

    private static string Lines(List<string> lines) =>
        lines.Count == 0 ? "<span class=\"dim\">none</span>" : string.Join("<br>", lines.Select(H));
}
