using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Running;

/// <summary>Checks a step's inline expectations against the step's typed records (signals, action results, health, log lines) and the machine's state.</summary>
internal static class ExpectationChecker
{
    public static List<ExpectationOutcome> Check(Step step, StepResult result, IReadOnlyList<Decision> decisions, RunState state) =>
        step.Expect.SelectMany(block => block.Checks).Select(check => Check(check, result, decisions, state)).ToList();

    private static ExpectationOutcome Check(Expectation check, StepResult result, IReadOnlyList<Decision> decisions, RunState state)
    {
        var signals = decisions.OfType<SignalSent>().Select(s => s.Signal).ToList();
        (bool Held, string? Actual) outcome = check switch
        {
            ReturnExpectation r => (result.Value == r.Value, $"returned {result}"),
            ActionResultExpectation a => ActionResults(decisions, a.Result),
            SignalExpectation s => SignalTo(signals, s, state),
            NoSignalExpectation n => NoSignal(signals, n.Task, state),
            DeliveredExpectation d => Delivered(decisions, d, state),
            LogExpectation l => (decisions.OfType<LogPrinted>().Any(p => p.Line.Text.Contains(l.Text, StringComparison.Ordinal)) == l.Present, l.Present ? "no such line" : "printed"),
            ShutdownExpectation s => (state.Mount?.SuperBlock.IsShutdown == true) == s.ShutDown
                ? (true, null) : (false, state.Mount?.SuperBlock.IsShutdown == true ? $"shut down ({state.Mount.SuperBlock.ShutdownReason})" : "not shut down"),
            ExitedExpectation e => Exited(e, state),
            HealthExpectation h => Health(decisions, h.Health),
            _ => (false, $"no checker for {check.GetType().Name}"),
        };
        return new ExpectationOutcome(check.Describe(), outcome.Held, outcome.Held ? null : outcome.Actual, check.At);
    }

    private static (bool, string?) ActionResults(IReadOnlyList<Decision> decisions, string wanted)
    {
        var results = decisions.OfType<ActionResultRecorded>().Select(a => a.Result.ToString()).ToList();
        return (results.Count > 0 && results.All(r => r == wanted), results.Count == 0 ? "no action_result" : string.Join(", ", results));
    }

    private static (bool, string?) SignalTo(List<SignalRecord> signals, SignalExpectation s, RunState state)
    {
        var mine = To(signals, s.Task, state);
        var held = mine.Any(r =>
            (s.Signal is null || Signals.Name(r.Signal) == s.Signal)
            && (s.Code is null || Signals.CodeName(r.Signal, r.Code) == s.Code)
            && (s.Lsb is null || r.AddressLsb == s.Lsb)
            && (s.Forced is null || r.Forced == s.Forced));
        return (held, mine.Count == 0 ? $"no signal to {s.Task}" : string.Join("; ", mine.Select(Describe)));
    }

    private static (bool, string?) NoSignal(List<SignalRecord> signals, string task, RunState state)
    {
        var mine = To(signals, task, state);
        return (mine.Count == 0, string.Join("; ", mine.Select(Describe)));
    }

    private static (bool, string?) Delivered(IReadOnlyList<Decision> decisions, DeliveredExpectation d, RunState state)
    {
        var tid = state.FindTask(d.Task)?.Tid;
        var count = decisions.OfType<SignalDelivered>().Count(x => x.Task.Tid == tid);
        return (count == d.Count, $"{count} delivered");
    }

    private static (bool, string?) Exited(ExitedExpectation e, RunState state)
    {
        var exited = state.FindTask(e.Task)?.Group.Exited ?? false;
        return (exited == e.Exited, exited ? $"exited ({state.FindTask(e.Task)!.Group.ExitReason})" : "alive");
    }

    private static (bool, string?) Health(IReadOnlyList<Decision> decisions, string wanted)
    {
        var kinds = decisions.OfType<KernelHealthEvent>().Select(k => k.Kind).ToList();
        var actual = kinds.Contains(KernelHealthKind.Panic) ? "panic"
            : kinds.Contains(KernelHealthKind.Oops) ? "oops"
            : kinds.Contains(KernelHealthKind.Warning) ? "warning"
            : "clean";
        return (actual == wanted, actual);
    }

    private static List<SignalRecord> To(List<SignalRecord> signals, string task, RunState state)
    {
        var tid = state.FindTask(task)?.Tid;
        return signals.Where(s => s.Task.Tid == tid).ToList();
    }

    private static string Describe(SignalRecord s) =>
        $"{Signals.Name(s.Signal)} {Signals.CodeName(s.Signal, s.Code)} lsb {s.AddressLsb} {(s.Forced ? "forced" : "not forced")}";
}
