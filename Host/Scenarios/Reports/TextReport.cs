using System.Globalization;
using System.Text;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// The text rendering of a run, for people and for approved snapshots: a header naming the
/// machine, then set-up and each step with its result, its decisions in the order the kernel took
/// them, the kernel log lines verbatim and its expectations. Lines end in "\n" on every platform.
/// </summary>
internal static class TextReport
{
    private const int KindWidth = 17;

    public static string Render(IEnumerable<RunReport> runs) => string.Join("\n", runs.Select(Render));

    public static string Render(RunReport run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var text = new StringBuilder(Header(run));
        foreach (var step in run.Steps)
        {
            text.Append(StepBlock(step));
        }

        return text.Append(Footer(run)).ToString();
    }

    /// <summary>A cell's first lines: the scenario, the cell, the kernel, the device and the filesystem.</summary>
    public static string Header(RunReport run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var text = new StringBuilder();
        Line(text, $"scenario: {run.Scenario}{(run.Description is null ? "" : $" - {run.Description}")}");
        if (run.Cell.Count > 0)
        {
            Line(text, $"cell: {run.CellName}");
        }

        Line(text, $"kernel: {run.Kernel}");
        Line(text, $"device: {run.Device}");
        if (run.FileSystem is not null)
        {
            Line(text, $"filesystem: {run.FileSystem}");
        }

        return text.ToString();
    }

    /// <summary>One step as a cell's report holds it: a blank line, then the step's lines.</summary>
    public static string StepBlock(StepReport step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var text = new StringBuilder().Append('\n');
        Step(text, step);
        return text.ToString();
    }

    /// <summary>A cell's last lines: the plugin fault that ended it, and the count of expectations.</summary>
    public static string Footer(RunReport run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var text = new StringBuilder();
        if (run.Fault is { } fault)
        {
            text.Append('\n');
            Line(text, $"plugin fault: {fault}");
            Line(text, "  the cell stopped here: a plugin fault ends it (exit 3)");
        }

        var checks = run.Steps.Sum(s => s.Expectations.Count);
        if (checks > 0)
        {
            text.Append('\n');
            var failed = run.FailedExpectations.Count();
            Line(text, $"expectations: {checks - failed} held, {failed} failed");
        }

        return text.ToString();
    }

    /// <summary>One step's lines, as the report prints them.</summary>
    public static string Step(StepReport step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var text = new StringBuilder();
        Step(text, step);
        return text.ToString();
    }

    private static void Step(StringBuilder text, StepReport step)
    {
        var label = step.Number == 0 ? "setup" : $"{(step.IsEvent ? "event" : "step")} {step.Number.ToString(CultureInfo.InvariantCulture)} {step.Kind}";
        Line(text, $"{label}: {step.What} => {step.Result}");
        Records(text, step.Decisions);

        if (step.Expectations.Count > 0)
        {
            Line(text, "  expect:");
            foreach (var e in step.Expectations)
            {
                Line(text, e.Held ? $"    ok    {e.Check}" : $"    FAIL  {e.Check}: {e.Actual} ({e.At})");
            }
        }
    }

    /// <summary>A slice of the decision trace as a step shows it: the decision lines, then the log lines under "log:".</summary>
    public static string Records(IReadOnlyList<Decision> decisions)
    {
        var text = new StringBuilder();
        Records(text, decisions);
        return text.ToString();
    }

    private static void Records(StringBuilder text, IReadOnlyList<Decision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        foreach (var decision in DecisionFormatter.Format(decisions))
        {
            if (decision.Text is not null)
            {
                Line(text, $"    {decision.Kind.PadRight(KindWidth)} {decision.Text}");
            }
        }

        var log = decisions.OfType<LogPrinted>().ToList();
        if (log.Count > 0)
        {
            Line(text, "  log:");
            foreach (var line in log)
            {
                Line(text, $"    {line.Line.Text}");
            }
        }
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
