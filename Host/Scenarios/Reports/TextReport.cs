using System.Globalization;
using System.Text;

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

        foreach (var step in run.Steps)
        {
            text.Append('\n');
            Step(text, step);
        }

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
        foreach (var decision in step.Decisions)
        {
            Line(text, $"    {decision.Kind.PadRight(KindWidth)} {decision.Text}");
        }

        if (step.Log.Count > 0)
        {
            Line(text, "  log:");
            foreach (var line in step.Log)
            {
                Line(text, $"    {line}");
            }
        }

        if (step.Expectations.Count > 0)
        {
            Line(text, "  expect:");
            foreach (var e in step.Expectations)
            {
                Line(text, e.Held ? $"    ok    {e.Check}" : $"    FAIL  {e.Check}: {e.Actual} ({e.At})");
            }
        }
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
