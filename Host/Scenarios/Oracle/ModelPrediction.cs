using System.Globalization;
using System.Text.RegularExpressions;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.PluginLoading;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// The model's prediction for a cell, read into a <see cref="CellOutcome"/> like the real run.
/// This is the one place that reads the model's <see cref="RunReport"/> (its typed records: signals
/// sent and delivered; the mmap steps' "as NAME at ADDRESS"), so a change of the report's shape is
/// absorbed here.
/// </summary>
internal static partial class ModelPrediction
{
    /// <summary>Runs the model on <paramref name="cell"/> and reads its report.</summary>
    public static (CellOutcome Outcome, RunReport Report) Predict(PluginCatalog catalog, ScenarioDocument document, IReadOnlyList<ScenarioSetting> cell, string kernel)
    {
        ArgumentNullException.ThrowIfNull(document);
        var report = new ScenarioRunner(catalog).Run(document, cell);
        return (Read(document.Bind(cell), report, kernel), report);
    }

    /// <summary>The model's prediction for a real run's cell compared with it; or why there is none; or the plugin fault.</summary>
    public static (ComparisonResult? Comparison, string? NoModel, string? Fault) CompareWithModel(PluginSet plugins, ScenarioDocument document, RealRun run, OracleKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.ModelProfile is null)
        {
            return (null, $"the model has no profile for {kernel.Name}: the real outcome is shown alone", null);
        }

        var (model, report) = Predict(plugins.Catalog, document, run.Binding, kernel.Name);
        return report.Fault is not null ? (null, null, report.Fault.ToString()) : (OutcomeComparison.Compare(model, run.Outcome), null, null);
    }

    /// <summary>A model report as an outcome, with the scenario's pids and mapping names.</summary>
    public static CellOutcome Read(Scenario scenario, RunReport report, string kernel)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(report);
        var pids = new Dictionary<string, int>(StringComparer.Ordinal);
        var byPid = new Dictionary<int, string>();
        var maps = new Dictionary<string, List<(string Name, ulong Start, ulong Length)>>(StringComparer.Ordinal);
        var stepsByNumber = scenario.Steps.Select((s, i) => (Step: s, Number: i + 1)).ToDictionary(x => x.Number, x => x.Step);
        var outcomes = new List<StepOutcome>();
        foreach (var step in report.Steps)
        {
            var source = stepsByNumber.GetValueOrDefault(step.Number);
            switch (source)
            {
                case SpawnStep sp:
                    pids[sp.Task] = sp.Pid;
                    byPid[sp.Pid] = sp.Task;
                    maps[sp.Task] = [];
                    foreach (var thread in sp.Threads)
                    {
                        // A thread is its own task (the kernel names it comm:tid) sharing the mm.
                        pids[thread.Name] = thread.Tid;
                        byPid[thread.Tid] = thread.Name;
                        maps[thread.Name] = maps[sp.Task];
                    }

                    break;
                case ForkStep f:
                    pids[f.Child] = f.Pid;
                    byPid[f.Pid] = f.Child;
                    maps[f.Child] = [.. maps.GetValueOrDefault(f.Parent) ?? []];
                    break;
                case MmapStep m when MapAt().Match(step.What) is { Success: true } at:
                    var start = ulong.Parse(at.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    (maps.TryGetValue(m.Task, out var list) ? list : maps[m.Task] = []).Add((m.Name, start, m.Length?.Value ?? ulong.MaxValue / 2));
                    break;
            }

            outcomes.Add(ReadStep(step, source, byPid, maps));
        }

        return new CellOutcome(report.Scenario, kernel, report.Kernel, report.Cell, outcomes) { Pids = pids };
    }

    private static StepOutcome ReadStep(StepReport step, Step? source, Dictionary<int, string> byPid, Dictionary<string, List<(string Name, ulong Start, ulong Length)>> maps)
    {
        var signals = new List<SignalSeen>();
        var exits = new List<TaskExit>();
        var killed = step.Decisions.OfType<SignalDelivered>()
            .Select(d => (Task: TaskName(d.Task, byPid), d.Outcome, Signal: Signals.Name(d.Signal)))
            .Where(d => d.Outcome.StartsWith("killed", StringComparison.Ordinal) || d.Outcome.StartsWith("died in the oops", StringComparison.Ordinal)).ToList();
        foreach (var sent in step.Decisions.OfType<SignalSent>())
        {
            var s = sent.Signal;
            var task = TaskName(s.Task, byPid);

            // a signal already pending is not queued again (kernel/signal.c: legacy_queue()): no handler sees it
            if (killed.Any(k => k.Task == task) || s.Queueing != SignalQueueing.Queued)
            {
                continue;
            }

            var (map, offset) = Locate(maps.GetValueOrDefault(task) ?? [], s.Address?.Value ?? 0UL);
            signals.Add(new SignalSeen(task, Signals.Name(s.Signal), Signals.CodeName(s.Signal, s.Code), s.AddressLsb, map, offset));
        }

        exits.AddRange(killed.DistinctBy(k => k.Task).Select(k => new TaskExit(k.Task, $"killed by {k.Signal}")));
        if (source is ExitStep e && step.Result == StepResult.Ok)
        {
            exits.Add(new TaskExit(e.Task, "exited 0"));
        }

        return new StepOutcome(step.Number, step.Kind, Result(step.Result.ToString(), source, maps), signals, exits, step.Log);
    }

    /// <summary>The step's result as the guest reports it: "0", "-EIO", "done", "SIGBUS at +0x1000".</summary>
    private static string? Result(string result, Step? source, Dictionary<string, List<(string Name, ulong Start, ulong Length)>> maps)
    {
        if (source is ExitStep)
        {
            return null;
        }

        if (SigbusAt().Match(result) is { Success: true } m && source is TouchStep t)
        {
            var address = ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            // relative to the touched mapping, as the guest counts it (also past its end: SEGV_MAPERR)
            var touched = (maps.GetValueOrDefault(t.Task) ?? []).LastOrDefault(x => x.Name == t.Map);
            var offset = touched.Name is null ? Locate(maps.GetValueOrDefault(t.Task) ?? [], address).Offset : address - touched.Start;
            return $"{m.Groups[1].Value} at +0x{offset:x}";
        }

        switch (source)
        {
            case SkippedStep:
                return "skipped";
            // the guest's daxprobe stat: ",xflag" for FS_XFLAG_DAX, ",dax" for STATX_ATTR_DAX
            case PathStep { Operation: "stat" } when result.StartsWith("0 ", StringComparison.Ordinal):
                return "0" + (result.Contains("FS_XFLAG_DAX", StringComparison.Ordinal) ? ",xflag" : "") + (result.Contains("STATX_ATTR_DAX", StringComparison.Ordinal) ? ",dax" : "");
            // daxprobe readdir: "0:" and the names, sorted, directories with a trailing "/"
            case PathStep { Operation: "readdir" } when result.StartsWith("0 (", StringComparison.Ordinal):
                var names = result[3..result.LastIndexOf(')')];
                return "0:" + (names == "empty" ? "" : names.Replace(' ', ','));
            // an open's fd number depends on what else the process holds: the guest says "fd"
            case OpenStep when int.TryParse(result.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out _):
                return "fd";
        }

        foreach (var prefix in new[] { "not modelled", "not run" })
        {
            if (result.StartsWith(prefix, StringComparison.Ordinal))
            {
                return prefix.Replace(' ', '-'); // the guest's one-word results: rc=not-run
            }
        }

        var cut = result.IndexOfAny([' ', ';']);
        return cut < 0 ? result : result[..cut];
    }

    private static (string Map, ulong Offset) Locate(List<(string Name, ulong Start, ulong Length)> maps, ulong address)
    {
        foreach (var (name, start, length) in Enumerable.Reverse(maps))
        {
            if (address >= start && address - start < length)
            {
                return (name, address - start);
            }
        }

        return ("-", address);
    }

    /// <summary>The scenario's name of the thread a decision names (by tid), else of its process.</summary>
    private static string TaskName(TaskName name, Dictionary<int, string> byPid) =>
        byPid.TryGetValue(name.Tid, out var thread) ? thread
        : byPid.TryGetValue(name.Pid, out var task) ? task : name.ToString();

    [GeneratedRegex(@" as (\S+) at 0x([0-9a-fA-F]+)")]
    private static partial Regex MapAt();

    [GeneratedRegex(@"^(SIGBUS|SIGSEGV) at 0x([0-9a-fA-F]+)")]
    private static partial Regex SigbusAt();
}
